"""Who may act as an editor or an admin: the settings' first ones, and those admins added."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Literal

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


Role = Literal["editor", "admin"]  # an admin is an editor too
Command = Callable[[Ctx], Awaitable[None]]
REFUSALS: dict[Role, str] = {"editor": "review/not_editor.j2", "admin": "staff/admins_only.j2"}


async def holds(ctx: Ctx, role: Role, *, editors_if: Callable[[Ctx], bool] | None = None) -> bool:
    """Whether the speaker may act as ``role``; ``editors_if``: when editors may too."""
    held = await role_of(ctx)
    if held == "admin" or (held == "editor" and role == "editor"):
        return True
    return held == "editor" and editors_if is not None and editors_if(ctx)


def requires(
    role: Role, *, editors_if: Callable[[Ctx], bool] | None = None
) -> Callable[[Command], Command]:
    """A command only editors (or only admins) may use; anyone else is told so, politely, and
    nothing changes. Put it under ``@router.command``."""

    def wrap(handler: Command) -> Command:
        @functools.wraps(handler)
        async def checked(ctx: Ctx) -> None:
            if await holds(ctx, role, editors_if=editors_if):
                await handler(ctx)
            else:
                ctx.say(REFUSALS[role])

        return checked

    return wrap


async def audit(
    ctx: Ctx, action: str, *, submission_id: int | None = None, note: str | None = None
) -> None:
    """One line of the audit log, by the person this update came from."""
    who, name = actor(ctx)
    await review.audit(
        ctx.session,
        submission_id=submission_id,
        actor=who,
        actor_name=name,
        action=action,
        note=note,
    )
