"""What a page of the archive shows beside its items, read for every item at once (one query
each, ``IN`` the page's ids): a page costs the same number of queries whatever it lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Media, Outbox, OutboxKind, Unit


async def units_named(session: AsyncSession, codes: Collection[str | None]) -> dict[str, Unit]:
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = await session.exec(select(Unit).where(col(Unit.code).in_(wanted)))
    return {unit.code: unit for unit in rows.all()}


async def media_of(session: AsyncSession, ids: Collection[int]) -> dict[int, list[Media]]:
    found: dict[int, list[Media]] = defaultdict(list)
    if ids:
        query = select(Media).where(col(Media.submission_id).in_(sorted(ids)))
        for row in (await session.exec(query.order_by(col(Media.id)))).all():
            found[row.submission_id].append(row)
    return found


async def posts_of(session: AsyncSession, ids: Collection[int]) -> dict[int, list[Outbox]]:
    found: dict[int, list[Outbox]] = defaultdict(list)
    if ids:
        query = select(Outbox).where(
            col(Outbox.submission_id).in_(sorted(ids)), col(Outbox.kind) == OutboxKind.POST
        )
        for row in (await session.exec(query.order_by(col(Outbox.id)))).all():
            if row.submission_id is not None:
                found[row.submission_id].append(row)
    return found
