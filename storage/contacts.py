"""The contact people of each unit: who hears the weekly nudge (set with /lienhe)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.db import insert_new
from storage.models import UnitContact

LIMIT = 5  # contacts per unit: a nudge is a short word to a few, not a broadcast


async def add(session: AsyncSession, *, unit_code: str, who: str, by: str) -> bool:
    """True when added; False when already there or the unit has ``LIMIT`` contacts."""
    if len(await of_unit(session, unit_code=unit_code)) >= LIMIT:
        return False
    values = {"unit_code": unit_code, "who": who, "added_by": by}
    return await insert_new(session, UnitContact, **values, created_at=clock.now(session))


async def remove(session: AsyncSession, *, unit_code: str, who: str) -> bool:
    result = await session.exec(
        delete(UnitContact).where(
            col(UnitContact.unit_code) == unit_code, col(UnitContact.who) == who
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def of_unit(session: AsyncSession, *, unit_code: str) -> list[str]:
    query = select(UnitContact.who).where(UnitContact.unit_code == unit_code)
    return sorted((await session.exec(query)).all())


async def every(session: AsyncSession) -> dict[str, list[str]]:
    """Unit code → its contacts."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    query = select(UnitContact).order_by(col(UnitContact.unit_code), col(UnitContact.who))
    for row in (await session.exec(query)).all():
        found[row.unit_code].append(row.who)
    return dict(found)


async def units_of(session: AsyncSession, *, who: str) -> list[str]:
    """The units ``who`` ("telegram:123") is a contact of: the units whose secretary they are."""
    query = select(UnitContact.unit_code).where(UnitContact.who == who)
    return sorted((await session.exec(query)).all())
