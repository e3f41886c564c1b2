"""Units (cơ sở Đoàn, chi hội): seeded from the organisation file, read by the core."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Unit, UnitBase


async def sync(session: AsyncSession, *, units: Sequence[UnitBase]) -> None:
    """Make the table match the organisation file; units no longer listed are deactivated,
    never deleted, so old submissions keep their unit."""
    existing = {unit.code: unit for unit in (await session.exec(select(Unit))).all()}
    listed = set()
    for position, unit in enumerate(units):
        listed.add(unit.code)
        row = existing.get(unit.code) or Unit(code=unit.code, name=unit.name)
        row.name, row.parent_code, row.position, row.active = (
            unit.name,
            unit.parent_code,
            position,
            True,
        )
        session.add(row)
    for code, row in existing.items():
        if code not in listed and row.active:
            row.active = False
            session.add(row)


async def active(session: AsyncSession) -> Sequence[Unit]:
    query = select(Unit).where(col(Unit.active)).order_by(col(Unit.position))
    return (await session.exec(query)).all()


async def get(session: AsyncSession, *, code: str | None) -> Unit | None:
    return await session.get(Unit, code) if code else None
