"""Who may act as an editor or an admin: the settings' first ones, and those admins added."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Ctx, Deps
from storage import review

BUTTONLESS = frozenset({"zalo"})


async def role_of(ctx: Ctx) -> str | None:
    key = f"{ctx.event.platform}:{ctx.event.user_id}"
    if key in ctx.deps.admins:
        return "admin"
    stored = await review.staff_role(
        ctx.session, platform=ctx.event.platform, user_id=ctx.event.user_id
    )
    if stored is not None:
        return stored
    return "editor" if key in ctx.deps.editors else None


async def text_editors(session: AsyncSession, deps: Deps) -> list[str]:
    """Editors and admins on platforms without buttons, who get new submissions in private."""
    stored = {f"{row.platform}:{row.user_id}" for row in await review.staff(session)}
    everyone = stored | deps.editors | deps.admins
    return sorted(who for who in everyone if who.partition(":")[0] in BUTTONLESS)


def person(ctx: Ctx, word: str) -> tuple[str, str]:
    """Someone named in a command: ``123`` (the speaker's own platform) or ``zalo:abc``."""
    platform, _, user_id = word.rpartition(":")
    return (platform.lower() or ctx.event.platform), user_id


def input_key(ctx: Ctx) -> dict[str, Any]:
    """Where an editor's pending answer is kept: this person, in this chat."""
    event = ctx.event
    return {"platform": event.platform, "user_id": event.user_id, "chat_id": event.chat_id}


def actor(ctx: Ctx) -> tuple[str, str]:
    """The audit log's "who": a stable id and the name shown to people."""
    return f"{ctx.event.platform}:{ctx.event.user_id}", ctx.event.display_name or ctx.event.user_id
