"""The counting behind a report's participation and its members' sheet, by the database as in
``storage.reports`` (same period and scope arguments)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, Submission
from storage.reports import WEEK, Units, _bucket, _not_withdrawn, _scope, _within

CHUNK = 500  # ids per IN (...) list


@dataclass
class Tally:
    member_id: int
    submitted: int = 0
    published: Counter[str] = field(default_factory=Counter)  # by kind
    weeks: int = 0


async def senders(
    session: AsyncSession, *, start: datetime, end: datetime, units: Units
) -> list[tuple[str | None, int]]:
    """(unit, members who sent at least one item in the period)."""
    query = (
        select(Submission.unit_code, func.count(func.distinct(Submission.member_id)))
        .where(_within(Submission.submitted_at, start, end), _scope(units), _not_withdrawn())
        .group_by(col(Submission.unit_code))
    )
    return [(unit, int(n)) for unit, n in (await session.exec(query)).all()]


async def tallies(
    session: AsyncSession, *, origin: datetime, start: datetime, end: datetime, units: Units
) -> list[tuple[Member, Tally]]:
    """Every member who sent something in the period (or had an item published in it), with
    items sent, published by kind and weeks with a published item."""
    found: defaultdict[int, Tally] = defaultdict(lambda: Tally(0))
    sent = (
        select(Submission.member_id, func.count())
        .where(_within(Submission.submitted_at, start, end), _scope(units), _not_withdrawn())
        .group_by(col(Submission.member_id))
    )
    for member_id, n in (await session.exec(sent)).all():
        found[member_id].submitted = int(n)
    published = (
        select(Submission.member_id, Submission.kind, func.count())
        .where(_within(Submission.published_at, start, end), _scope(units))
        .group_by(col(Submission.member_id), col(Submission.kind))
    )
    for member_id, kind, n in (await session.exec(published)).all():
        found[member_id].published[kind] += int(n)
    week = _bucket(session, Submission.published_at, origin=origin, size=WEEK)
    weeks = (
        select(Submission.member_id, func.count(func.distinct(week)))
        .where(_within(Submission.published_at, start, end), _scope(units))
        .group_by(col(Submission.member_id))
    )
    for member_id, n in (await session.exec(weeks)).all():
        found[member_id].weeks = int(n)
    ids = sorted(found)
    members: dict[int, Member] = {}
    for i in range(0, len(ids), CHUNK):
        query = select(Member).where(col(Member.id).in_(ids[i : i + CHUNK]))
        members.update({m.id or 0: m for m in (await session.exec(query)).all()})
    rows = []
    for member_id in ids:
        tally = found[member_id]
        tally.member_id = member_id
        if member_id in members:
            rows.append((members[member_id], tally))
    return rows
