"""Units' own pages: the posts they made there themselves (``DirectPost``) and their pages'
audience by day (``PageReading``). Plain functions taking a session; what counts and for
which unit is decided in ``handlers/pages/``."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import insert_new
from storage.models import DirectPost, Outbox, OutboxKind, OutboxStatus, PageReading, SlotRun
from storage.reports import WEEK, InEvent, Units, _bucket, _within


async def own_post_ids(session: AsyncSession, *, platform: str, target: str) -> set[str]:
    """The ids of the posts the bot itself published on ``target`` (never counted twice)."""
    query = select(Outbox.message_ids).where(
        col(Outbox.kind) == OutboxKind.POST,
        col(Outbox.platform) == platform,
        col(Outbox.chat_id) == target,
        col(Outbox.status) == OutboxStatus.SENT,
    )
    return {str(i) for ids in (await session.exec(query)).all() for i in ids or []}


async def seen(
    session: AsyncSession,
    *,
    unit: str,
    platform: str,
    target: str,
    post_id: str,
    link: str | None,
    kind: str,
    at: datetime,
    now: datetime,
) -> None:
    """Record a post (again): a second reading updates it, and brings back one gone before
    (its hashtag put back)."""
    values = {"unit_code": unit, "link": (link or "")[:256] or None, "kind": kind}
    added = await insert_new(
        session,
        DirectPost,
        platform=platform,
        target=target,
        post_id=post_id,
        posted_at=at,
        created_at=now,
        updated_at=now,
        **values,
    )
    if not added:
        await session.exec(
            update(DirectPost)
            .where(
                col(DirectPost.platform) == platform,
                col(DirectPost.target) == target,
                col(DirectPost.post_id) == post_id,
            )
            .values(**values, posted_at=at, gone_at=None, updated_at=now)
        )


async def gone(
    session: AsyncSession,
    *,
    platform: str,
    target: str,
    since: datetime,
    kept: Collection[str],
    now: datetime,
) -> int:
    """Posts of ``target`` made since ``since`` that a reading no longer shows (deleted) or
    shows without a hashtag (edited): no longer counted."""
    result = await session.exec(
        update(DirectPost)
        .where(
            col(DirectPost.platform) == platform,
            col(DirectPost.target) == target,
            col(DirectPost.posted_at) >= since,
            col(DirectPost.gone_at).is_(None),
            col(DirectPost.post_id).not_in(list(kept)),
        )
        .values(gone_at=now, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0))


def _counted(start: datetime, end: datetime, units: Units) -> list[ColumnElement[bool]]:
    found = [_within(DirectPost.posted_at, start, end), col(DirectPost.gone_at).is_(None)]
    if isinstance(units, InEvent):  # a direct post carries no events: its unit and days decide
        units = units.units
    if units is not None:
        found.append(col(DirectPost.unit_code).in_(units))
    return found


async def counts(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units
) -> list[tuple[str, int]]:
    """(unit, posts) of the period's direct posts still up."""
    query = (
        select(DirectPost.unit_code, func.count())
        .where(*_counted(start, end, units))
        .group_by(col(DirectPost.unit_code))
    )
    return [(unit, int(n)) for unit, n in (await session.exec(query)).all()]


async def weeks(
    session: AsyncSession, *, origin: datetime, start: datetime, end: datetime, units: Units
) -> list[tuple[str, int]]:
    """The distinct (unit, week since ``origin``) pairs with a direct post still up."""
    week = _bucket(session, DirectPost.posted_at, origin=origin, size=WEEK)
    query = select(DirectPost.unit_code, week).where(*_counted(start, end, units)).distinct()
    return [(code, int(n)) for code, n in (await session.exec(query)).all()]


async def listed(
    session: AsyncSession, *, start: datetime, end: datetime, limit: int = 200
) -> Sequence[DirectPost]:
    """The period's direct posts still up, newest first (the board lists them with links)."""
    query = (
        select(DirectPost)
        .where(*_counted(start, end, None))
        .order_by(col(DirectPost.posted_at).desc())
        .limit(limit)
    )
    return (await session.exec(query)).all()


async def read_today(session: AsyncSession, *, platform: str, target: str, day: str) -> bool:
    return await session.get(PageReading, (platform, target, day)) is not None


async def reading(
    session: AsyncSession,
    *,
    platform: str,
    target: str,
    day: str,
    unit: str,
    followers: int | None,
    fans: int | None,
    now: datetime,
) -> bool:
    """The day's reading of a page; a second one that day is not kept. True when kept."""
    return await insert_new(
        session,
        PageReading,
        platform=platform,
        target=target,
        day=day,
        unit_code=unit,
        followers=followers,
        fans=fans,
        created_at=now,
    )


async def readings(
    session: AsyncSession, *, first_day: str, last_day: str
) -> Sequence[PageReading]:
    """Every page's readings between two days (inclusive), oldest first."""
    query = (
        select(PageReading)
        .where(col(PageReading.day) >= first_day, col(PageReading.day) <= last_day)
        .order_by(col(PageReading.day))
    )
    return (await session.exec(query)).all()


def _reading_key(platform: str, target: str) -> str:
    """The page's reading lease, as a ``SlotRun`` key (64 characters at most)."""
    return "page-read:" + hashlib.sha256(f"{platform}:{target}".encode()).hexdigest()[:40]


async def begin_reading(
    session: AsyncSession, *, platform: str, target: str, now: datetime, stale: timedelta
) -> bool:
    """Claim the reading of one page: True for the one reader at a time. Two readings that
    overlap (the 6-hour round and an admin's ``count-pages``) would otherwise let the older
    one's answer, written last, undo what the newer one saw. A lease older than ``stale`` is
    a reader that died: it is taken over."""
    key = _reading_key(platform, target)
    old = delete(SlotRun).where(col(SlotRun.key) == key, col(SlotRun.created_at) < now - stale)
    await session.exec(old)
    return await insert_new(session, SlotRun, key=key, created_at=now)


async def end_reading(session: AsyncSession, *, platform: str, target: str) -> None:
    """The page's reading written (or failed): the next reader may begin."""
    await session.exec(delete(SlotRun).where(col(SlotRun.key) == _reading_key(platform, target)))
