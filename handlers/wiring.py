"""The one place that composes the core: every feature's router, and the hooks the engine
calls without knowing the features (the ban check, the editors' group).

A new feature module with a ``router`` is added to ``get_routers`` and nowhere else;
``tests/test_wiring.py`` fails on a router left out, and on ``handlers.engine`` importing a
feature.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.admin import bans, broadcast, contacts, staff, web_link
from handlers.desk import buttons, editor_commands, review, takedown, theme_fix
from handlers.engine.context import Ctx, Deps
from handlers.engine.core import Core
from handlers.engine.router import Router
from handlers.member import answers, consent, info, media, preview, start, submit, supplement
from handlers.merging import merge
from handlers.privacy import personal_review, retention, rights
from handlers.reports import report


def get_routers() -> tuple[Router, ...]:
    """Every feature router, the only list of them."""
    return (
        start.router,
        submit.router,
        answers.router,
        media.router,
        consent.router,
        preview.router,
        info.router,
        supplement.router,
        staff.router,
        editor_commands.router,
        buttons.router,
        bans.router,
        report.router,
        rights.router,
        retention.router,
        personal_review.router,
        merge.router,
        web_link.router,
        contacts.router,
        takedown.router,
        theme_fix.router,
        broadcast.router,
    )


def compose(routers: Sequence[Router] | None = None) -> Router:
    """One router joining them; a name registered twice is an error here, at start."""
    return Router().include(*(get_routers() if routers is None else routers))


def build_core(
    sessions: async_sessionmaker[AsyncSession],
    deps: Deps,
    *,
    routers: Sequence[Router] | None = None,
) -> Core:
    """The core with every feature; ``routers`` replaces the list (a test's stand-in)."""
    routes = compose(routers)

    async def on_group(ctx: Ctx) -> None:
        await review.on_group(ctx, routes.cards)

    return Core(
        sessions,
        deps,
        routes=routes,
        stopped=bans.stopped,
        on_group=on_group,
        resync=review.resync,
    )
