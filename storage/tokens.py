"""A platform's OAuth tokens, one row per platform (``PlatformToken``). A refresh is a lease,
not a held transaction: ``lease`` claims it in one short transaction (a conditional UPDATE
that one worker wins), the network call happens outside any transaction (on SQLite the one
write lock stays free for members' answers), and ``store``/``refused_by`` write the outcome
in a second short one only while the lease is still the caller's. The others wait and read
the new tokens instead of spending the single-use refresh token again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
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
    backends; the read after it sees what the previous holder committed). Only for a short
    transaction (``zalo-oa-connect`` storing its pair): never across a network call."""
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
    row.refreshing_by = row.refreshing_until = None  # a lease in flight can no longer store


async def lease(
    session: AsyncSession, *, platform: str, owner: str, until: datetime
) -> PlatformToken | None:
    """Claim the refresh until ``until``: the row when ``owner`` won it (nobody holds a lease
    that has not lapsed), None when another worker holds it (or there is no row). The
    UPDATE comes first, so the read after it sees what the previous holder committed."""
    now = clock.now(session)
    won = await session.exec(
        update(PlatformToken)
        .where(
            col(PlatformToken.platform) == platform,
            or_(
                col(PlatformToken.refreshing_until).is_(None),
                col(PlatformToken.refreshing_until) <= now,
            ),
        )
        .values(refreshing_by=owner, refreshing_until=until, updated_at=now)
    )
    if getattr(won, "rowcount", 0) != 1:
        return None
    return await get(session, platform=platform)


async def _ours(
    session: AsyncSession, *, platform: str, owner: str, spent: str | None = None, **values: object
) -> bool:
    """Write ``values`` and end the lease, only while ``owner`` still holds it (or, given
    ``spent``, while the row still holds that refresh token)."""
    mine = col(PlatformToken.refreshing_by) == owner
    if spent is not None:
        mine = or_(mine, col(PlatformToken.refresh_token) == spent)
    done = await session.exec(
        update(PlatformToken)
        .where(col(PlatformToken.platform) == platform, mine)
        .values(refreshing_by=None, refreshing_until=None, updated_at=clock.now(session), **values)
    )
    return bool(getattr(done, "rowcount", 0) == 1)


async def store(
    session: AsyncSession,
    *,
    platform: str,
    owner: str,
    spent: str,
    access_token: str,
    access_expires_at: datetime,
    refresh_token: str,
    refresh_expires_at: datetime,
) -> bool:
    """The new pair, when ``owner``'s lease still stands, or when it lapsed but the row still
    holds ``spent`` (the refresh token the pair was made from: nothing newer was stored, and
    losing the only valid pair would lock the OA out). False when a newer pair is there."""
    return await _ours(
        session,
        platform=platform,
        owner=owner,
        spent=spent,
        access_token=access_token,
        access_expires_at=access_expires_at,
        refresh_token=refresh_token,
        refresh_expires_at=refresh_expires_at,
        refreshed_at=clock.now(session),
        refused=None,
    )


async def refused_by(session: AsyncSession, *, platform: str, owner: str, reason: str) -> bool:
    """The platform refused ``owner``'s refresh: kept on the row (the lease ends)."""
    return await _ours(session, platform=platform, owner=owner, refused=reason[:300])


async def release(session: AsyncSession, *, platform: str, owner: str) -> bool:
    """``owner`` got no answer: the lease ends, the same refresh token is tried again."""
    return await _ours(session, platform=platform, owner=owner)


async def expire_access(session: AsyncSession, *, platform: str, token: str) -> None:
    """The platform called ``token`` expired before its time: the next call refreshes."""
    await session.exec(
        update(PlatformToken)
        .where(col(PlatformToken.platform) == platform, col(PlatformToken.access_token) == token)
        .values(access_expires_at=clock.now(session))
    )
