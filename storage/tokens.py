"""A platform's OAuth tokens, one row per platform (``PlatformToken``). A refresh runs inside
``claimed``: the row is locked for the whole refresh (PostgreSQL: a row lock; SQLite: the
write lock), so of several workers refreshing at once one spends the single-use refresh token
and the others, once it commits, read the new tokens instead of spending the old one again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.db import insert_new
from storage.models import PlatformToken


async def get(session: AsyncSession, *, platform: str) -> PlatformToken | None:
    query = select(PlatformToken).where(PlatformToken.platform == platform)
    return (await session.exec(query.execution_options(populate_existing=True))).first()


async def seed(
    session: AsyncSession, *, platform: str, refresh_token: str, refresh_expires_at: datetime
) -> bool:
    """A first refresh token (from the settings) when the database holds none; True when it
    went in. A row already there, spent or not, is never replaced by it."""
    now = clock.now(session)
    return await insert_new(
        session,
        PlatformToken,
        platform=platform,
        access_token="",
        access_expires_at=now,
        refresh_token=refresh_token,
        refresh_expires_at=refresh_expires_at,
        refreshed_at=now,
        updated_at=now,
    )


async def claimed(session: AsyncSession, *, platform: str) -> PlatformToken | None:
    """The row, locked until the transaction ends (an UPDATE takes the lock on both
    backends; the read after it sees what the previous holder committed)."""
    await session.exec(
        update(PlatformToken)
        .where(col(PlatformToken.platform) == platform)
        .values(updated_at=clock.now(session))
    )
    return await get(session, platform=platform)


def save(
    row: PlatformToken,
    *,
    access_token: str,
    access_expires_at: datetime,
    refresh_token: str,
    refresh_expires_at: datetime,
    now: datetime,
) -> None:
    row.access_token, row.access_expires_at = access_token, access_expires_at
    row.refresh_token, row.refresh_expires_at = refresh_token, refresh_expires_at
    row.refreshed_at = row.updated_at = now
    row.refused = None


def refused(row: PlatformToken, *, reason: str, now: datetime) -> None:
    row.refused, row.updated_at = reason[:300], now


async def expire_access(session: AsyncSession, *, platform: str, token: str) -> None:
    """The platform called ``token`` expired before its time: the next call refreshes."""
    await session.exec(
        update(PlatformToken)
        .where(col(PlatformToken.platform) == platform, col(PlatformToken.access_token) == token)
        .values(access_expires_at=clock.now(session))
    )
