"""Messages sent per platform per month, counted in the database so that every worker adds to
one number and a restart forgets nothing (Zalo's free plan is reported to cap them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.models import PlatformUsage


def month_of(at: datetime, tz: ZoneInfo) -> str:
    """The month a moment falls in, where the organisation is: ``2026-11``."""
    return at.astimezone(tz).strftime("%Y-%m")


async def add_sent(session: AsyncSession, *, platform: str, month: str, count: int = 1) -> int:
    """Add ``count`` messages to the month's number; the new total. One upsert, so two
    workers counting at once both count."""
    now = clock.now(session)
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(PlatformUsage).values(
        platform=platform, month=month, sent=count, updated_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "month"],
        set_={"sent": PlatformUsage.sent + count, "updated_at": now},
    )
    await session.exec(statement)
    return await sent(session, platform=platform, month=month)


async def sent(session: AsyncSession, *, platform: str, month: str) -> int:
    query = select(PlatformUsage.sent).where(
        PlatformUsage.platform == platform, PlatformUsage.month == month
    )
    return (await session.exec(query)).first() or 0


async def of_month(session: AsyncSession, *, month: str) -> Sequence[PlatformUsage]:
    """Every platform's count for the month, by platform name."""
    query = select(PlatformUsage).where(PlatformUsage.month == month)
    return (await session.exec(query.order_by(col(PlatformUsage.platform)))).all()
