"""When each person last reached the bot on a platform that may write to them only for a
while after (``LastContact``): the Zalo OA's 48 hours free, 7 days paid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import LastContact


async def touch(session: AsyncSession, *, platform: str, user_id: str, at: datetime) -> None:
    """Record a contact at ``at``; a later one already recorded stays."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(LastContact).values(platform=platform, user_id=user_id, at=at)
    excluded = statement.excluded.at
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=["platform", "user_id"],
            set_={"at": excluded},
            where=LastContact.__table__.c.at < excluded,  # type: ignore[attr-defined]
        )
    )


async def last(session: AsyncSession, *, platform: str, user_id: str) -> datetime | None:
    query = select(LastContact.at).where(
        LastContact.platform == platform, LastContact.user_id == user_id
    )
    return (await session.exec(query)).first()
