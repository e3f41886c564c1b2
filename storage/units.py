"""Units (cơ sở Đoàn, chi hội): seeded from the organisation file, read by the core."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import insert_new
from storage.models import Unit, UnitBase


async def sync(session: AsyncSession, *, units: Sequence[UnitBase]) -> None:
    """Add the organisation file's units that the table lacks. Existing rows are left as the
    admins made them in chat (renamed, moved, deactivated): the file only seeds."""
    existing = set((await session.exec(select(Unit.code))).all())
    for position, unit in enumerate(units):
        if unit.code not in existing:  # ON CONFLICT: workers starting together seed it once
            await insert_new(
                session,
                Unit,
                code=unit.code,
                name=unit.name,
                parent_code=unit.parent_code,
                position=position,
                active=True,
            )


async def active(session: AsyncSession) -> Sequence[Unit]:
    """Without autoflush, as ``get``: /start lists the units after moving the member to the
    unit step, and flushing there wrote the member's row twice in one update."""
    query = select(Unit).where(col(Unit.active)).order_by(col(Unit.position))
    with session.no_autoflush:
        return (await session.exec(query)).all()


async def get(session: AsyncSession, *, code: str | None) -> Unit | None:
    """Without autoflush: a member's update reads their unit half-way, and flushing there
    would write the member's row twice in one update (units change in their own turns)."""
    if not code:
        return None
    with session.no_autoflush:
        return await session.get(Unit, code)


async def add(session: AsyncSession, *, code: str, name: str, parent: str | None) -> bool:
    if await session.get(Unit, code) is not None:
        return False
    last = (await session.exec(select(func.max(Unit.position)))).one()
    session.add(Unit(code=code, name=name, parent_code=parent, position=(last or 0) + 1))
    return True


async def change(session: AsyncSession, *, code: str, **values: object) -> bool:
    """Rename, move under another parent, or (de)activate one unit."""
    row = await session.get(Unit, code)
    if row is None:
        return False
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    return True


async def every(session: AsyncSession) -> Sequence[Unit]:
    return (await session.exec(select(Unit).order_by(col(Unit.position)))).all()
