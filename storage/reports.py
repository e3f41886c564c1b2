"""The counting behind /report, done by the database (GROUP BY over indexed time columns), so
a year of a large organisation costs index range scans, never a loop over its rows.

The period is ``start`` (inclusive) and ``end`` (exclusive), aware UTC; ``units`` the unit codes
in scope, or None for all (members without a unit included). Days and weeks are fixed-length
buckets from a local midnight: exact without daylight saving time (Asia/Ho_Chi_Minh); elsewhere
an edge may be off by the DST hour.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import BigInteger, ColumnElement, Integer, and_, cast, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, Outbox, OutboxStatus, Status, Submission, Unit


@dataclass(frozen=True)
class InEvent:
    """An event's items: those of its units (None: every unit) whose events no editor set, and
    those an editor put in it; the period's dates are the event's."""

    key: str
    units: Collection[str] | None


Units = Collection[str] | InEvent | None
DECIDED = (Status.APPROVED, Status.PUBLISHED, Status.REJECTED)
WAITING = (Status.PENDING, Status.NEEDS_INFO, Status.MERGED)  # merged: waits with its story
DAY, WEEK = 86_400, 604_800


class Window(TypedDict):
    start: datetime
    end: datetime
    units: Units


def _epoch(session: AsyncSession, column: Any) -> ColumnElement[int]:
    # SQLite has no extract(epoch); its strftime('%s') is exact where julianday() rounds.
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), Integer)


def _bucket(session: AsyncSession, column: Any, *, origin: datetime, size: int) -> Any:
    # Integer // integer renders as plain integer division on both backends; never negative,
    # since every caller keeps the time at or after the origin.
    return (_epoch(session, column) - literal(int(origin.timestamp()))) // size


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _not_withdrawn() -> ColumnElement[bool]:
    # Taken back by its member before a decision (/rut): not counted as sent.
    return col(Submission.status) != Status.WITHDRAWN


def _scope(units: Units) -> ColumnElement[bool]:
    if isinstance(units, InEvent):
        own = _scope(units.units)
        unset = and_(col(Submission.events).is_(None), own)
        return or_(unset, col(Submission.events).contains(f",{units.key},", autoescape=True))
    return col(Submission.unit_code).in_(units) if units is not None else literal(True)


async def all_units(session: AsyncSession) -> Sequence[Unit]:
    return (await session.exec(select(Unit).order_by(col(Unit.position)))).all()


async def submitted(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units
) -> list[tuple[str | None, str, str | None, int]]:
    """(unit, kind, theme key, count) of the items submitted in the period: at most units x
    kinds x themes rows, which give both the units' and the themes' figures."""
    keys = (col(Submission.unit_code), col(Submission.kind), col(Submission.theme_key))
    where = _within(Submission.submitted_at, start, end), _scope(units), _not_withdrawn()
    rows = (await session.exec(select(*keys, func.count()).where(*where).group_by(*keys))).all()
    return [(unit, kind, theme, int(n)) for unit, kind, theme, n in rows]


async def decided(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units
) -> list[tuple[str | None, str, int]]:
    """(unit, status, count) of the items approved or rejected in the period."""
    query = (
        select(Submission.unit_code, Submission.status, func.count())
        .where(
            _within(Submission.decided_at, start, end),
            col(Submission.status).in_(DECIDED),
            _scope(units),
        )
        .group_by(col(Submission.unit_code), col(Submission.status))
    )
    return [(unit, status, int(n)) for unit, status, n in (await session.exec(query)).all()]


async def published(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units
) -> list[tuple[str | None, str, int]]:
    """(unit, kind, count) of the items published in the period."""
    query = (
        select(Submission.unit_code, Submission.kind, func.count())
        .where(_within(Submission.published_at, start, end), _scope(units))
        .group_by(col(Submission.unit_code), col(Submission.kind))
    )
    return [(unit, kind, int(n)) for unit, kind, n in (await session.exec(query)).all()]


async def taken_down(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units
) -> list[tuple[str | None, int]]:
    """(unit, count) of the items published in the period and taken down since: they still
    count as published (they were), marked so the office sees them."""
    query = (
        select(Submission.unit_code, func.count())
        .where(
            _within(Submission.published_at, start, end),
            col(Submission.taken_down_at).is_not(None),
            _scope(units),
        )
        .group_by(col(Submission.unit_code))
    )
    return [(unit, int(n)) for unit, n in (await session.exec(query)).all()]


async def waiting(
    session: AsyncSession, *, end: datetime, units: Units
) -> list[tuple[str | None, int]]:
    """(unit, count) of the items submitted before the period's end still waiting now."""
    query = (
        select(Submission.unit_code, func.count())
        .where(
            col(Submission.status).in_(WAITING), col(Submission.submitted_at) < end, _scope(units)
        )
        .group_by(col(Submission.unit_code))
    )
    return [(unit, int(n)) for unit, n in (await session.exec(query)).all()]


async def published_weeks(
    session: AsyncSession, *, origin: datetime, start: datetime, end: datetime, units: Units
) -> list[tuple[str | None, int]]:
    """The distinct (unit, week since ``origin``) pairs with a publication: at most units x
    weeks rows, giving both a unit's weeks and its subtree's."""
    week = _bucket(session, Submission.published_at, origin=origin, size=WEEK)
    query = (
        select(Submission.unit_code, week)
        .where(_within(Submission.published_at, start, end), _scope(units))
        .distinct()
    )
    return [(code, int(n)) for code, n in (await session.exec(query)).all()]


async def target_days(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units
) -> list[tuple[str, str, int]]:
    """(platform, chat, days) with at least one Tin tốt post sent there, days counted from
    ``start`` (a local midnight)."""
    day = _bucket(session, Outbox.sent_at, origin=start, size=DAY).label("day")
    # The distinct (target, day) pairs first: a hash of a few hundred rows per target, where
    # COUNT(DISTINCT) would sort every post of the period.
    days = (
        select(Outbox.platform, Outbox.chat_id, day)
        .join(Submission, col(Submission.id) == col(Outbox.submission_id))
        .where(
            col(Outbox.kind) == "post",
            col(Outbox.status) == OutboxStatus.SENT,
            _within(Outbox.sent_at, start, end),
            col(Submission.kind) == "tin_tot",
            _scope(units),
        )
        .distinct()
        .subquery()
    )
    query = select(days.c.platform, days.c.chat_id, func.count()).group_by(
        days.c.platform, days.c.chat_id
    )
    return [(platform, chat, int(n)) for platform, chat, n in (await session.exec(query)).all()]


async def median_hours_to_decision(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units
) -> float | None:
    """Submitted → decided, over the period's decisions: counted, then only the middle one or
    two values fetched."""
    where = (
        _within(Submission.decided_at, start, end),
        col(Submission.status).in_(DECIDED),
        col(Submission.submitted_at).is_not(None),
        _scope(units),
    )
    n = (await session.exec(select(func.count()).where(*where))).one()
    if not n:
        return None
    seconds = _epoch(session, Submission.decided_at) - _epoch(session, Submission.submitted_at)
    query = select(seconds).where(*where).order_by(seconds).offset((n - 1) // 2)
    middle = (await session.exec(query.limit(2 - n % 2))).all()
    return sum(middle) / len(middle) / 3600


async def top_members(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units, limit: int = 5
) -> list[tuple[Member, int, int]]:
    """(member, published, submitted) of those with the most items published in the period;
    members who asked to be forgotten are not named, so not ranked (their items still count
    for their units)."""
    count = func.count().label("n")
    erased = select(Member.id).where(col(Member.erased_at).is_not(None))
    best = (
        select(Submission.member_id, count)
        .where(_within(Submission.published_at, start, end), _scope(units))
        .where(col(Submission.member_id).not_in(erased))
        .group_by(col(Submission.member_id))
        .order_by(count.desc(), col(Submission.member_id))
        .limit(limit)
    )
    ranked = dict((await session.exec(best)).all())  # in the order of the ranking
    ids = list(ranked)
    sent = (
        select(Submission.member_id, func.count())
        .where(col(Submission.member_id).in_(ids), _within(Submission.submitted_at, start, end))
        .where(_scope(units), _not_withdrawn())
        .group_by(col(Submission.member_id))
    )
    totals = dict((await session.exec(sent)).all())
    found = (await session.exec(select(Member).where(col(Member.id).in_(ids)))).all()
    members = {member.id: member for member in found}
    return [(members[i], int(n), int(totals.get(i, 0))) for i, n in ranked.items()]
