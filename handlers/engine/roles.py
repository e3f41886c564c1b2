"""Who may act as an editor or an admin: the settings' first ones, and those admins added,
less those admins removed."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Ctx, Deps
from storage import review

RANK = {None: 0, "editor": 1, "admin": 2}


async def role_of(ctx: Ctx) -> str | None:
    return await role_in(ctx.session, ctx.deps, f"{ctx.event.platform}:{ctx.event.user_id}")


async def role_in(session: AsyncSession, deps: Deps, key: str) -> str | None:
    """An admin's removal (a stored, inactive row) overrides EDITOR_IDS / ADMIN_IDS: the
    environment only names the first ones. Otherwise the higher of the two roles."""
    platform, _, user_id = key.partition(":")
    row = await review.staff_row(session, platform=platform, user_id=user_id)
    if row is not None and not row.active:
        return None
    listed = "admin" if key in deps.admins else "editor" if key in deps.editors else None
    stored = row.role if row is not None else None
    return max(listed, stored, key=lambda role: RANK.get(role, 0))


async def admins(session: AsyncSession, deps: Deps) -> list[str]:
    """Every admin now: ADMIN_IDS and those added, less those removed."""
    added = {f"{row.platform}:{row.user_id}" for row in await review.staff(session)}
    everyone = sorted(added | deps.admins)
    return [key for key in everyone if await role_in(session, deps, key) == "admin"]


async def text_editors(session: AsyncSession, deps: Deps) -> list[str]:
    """Editors and admins on platforms without buttons, who get new submissions in private."""
    rows = await review.staff(session, active=None)  # one read: this runs at each approval
    stored = {f"{row.platform}:{row.user_id}" for row in rows if row.active}
    removed = {f"{row.platform}:{row.user_id}" for row in rows if not row.active}
    everyone = (stored | deps.editors | deps.admins) - removed
    return sorted(who for who in everyone if who.partition(":")[0] in deps.buttonless)


def person(ctx: Ctx, word: str) -> tuple[str, str]:
    """Someone named in a command: ``123`` (the speaker's own platform) or ``<platform>:abc``."""
    platform, _, user_id = word.rpartition(":")
    return (platform.lower() or ctx.event.platform), user_id


def naming(ctx: Ctx) -> dict[str, Any]:
    """What a usage line needs to show how people are named (``_macros.j2``'s ``person_*``):
    the chat platforms, whose own examples it shows, and the speaker's."""
    return {"chats": ctx.deps.chat_platforms, "here": ctx.event.platform}


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
