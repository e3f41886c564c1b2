"""A unit's contact (named with /lienhe) is its secretary: /report and the board answer them
for their units' subtrees. Admins (and editors when the organisation file allows) see all."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Ctx, Deps
from handlers.engine.roles import actor, holds, role_in
from storage import contacts


async def report_scope(ctx: Ctx) -> tuple[bool, list[str] | None]:
    """(allowed, the codes of a secretary's units; None: every unit)."""
    if await holds(ctx, "admin", editors_if=lambda c: c.org.reports.editors_allowed):
        return True, None
    own = await contacts.units_of(ctx.session, who=actor(ctx)[0])
    return bool(own), own


async def board_scope(session: AsyncSession, deps: Deps, who: str) -> tuple[str, list[str]] | None:
    """(role, the units of a secretary: [] for staff) of whom a board session is for; None:
    refused."""
    role = await role_in(session, deps, who)
    if role is not None:
        return role, []
    own = await contacts.units_of(session, who=who)
    return ("secretary", own) if own else None
