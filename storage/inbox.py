"""Updates stored before they are acknowledged, handled from here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Inbox, utcnow


async def store(session: AsyncSession, *, key: str, platform: str, payload: dict[str, Any]) -> bool:
    """Keep an update; False when it was stored before (a re-delivery)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Inbox)
        .values(key=key, platform=platform, payload=payload, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = await session.exec(statement)
    return bool(getattr(result, "rowcount", 0) == 1)


async def handled(session: AsyncSession, *, key: str) -> None:
    await session.exec(update(Inbox).where(col(Inbox.key) == key).values(handled_at=utcnow()))


async def unhandled(session: AsyncSession, *, platform: str, limit: int = 500) -> Sequence[Inbox]:
    query = (
        select(Inbox)
        .where(Inbox.platform == platform, col(Inbox.handled_at).is_(None))
        .order_by(col(Inbox.created_at))
        .limit(limit)
    )
    return (await session.exec(query)).all()
