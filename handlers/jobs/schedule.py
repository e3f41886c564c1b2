"""Posting slots, the "nothing queued" warning and the editors' daily reminder.

With slots configured (``[slots]`` of the organisation file, in TIMEZONE), approved posts wait
in the outbox and each slot releases those of one submission of its kind, the one approved
first. A slot is served once: its ``SlotRun`` row is inserted with ON CONFLICT DO NOTHING and
only the process whose insert went in releases the posts. A slot missed by a stopped bot is
still served within a grace period (12 h daily, 24 h weekly), never days later. When a slot is
near and nothing of its kind waits, the editors are told once (the notice's outbox key). Cards
pending longer than ``review.remind_after_hours`` are listed to the editors at most once a day
(the key carries the local date), each card at most once in 24 h. ``tick`` does all of it and
may run in any number of processes at once: the database decides what happens, once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import get_args
from zoneinfo import ZoneInfo

from sqlalchemy import exists, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.org import Kind, OrgConfig
from storage import outbox
from storage.db import insert_new
from storage.models import Outbox, OutboxKind, OutboxStatus, SlotRun, Status, Submission

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
GRACE = {"tin_tot": timedelta(hours=12), "cau_chuyen_dep": timedelta(hours=24)}
REMIND_EVERY = timedelta(hours=24)


def _at(day: date, hm: str, tz: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in hm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def weekly_due(spec: str, now: datetime, tz: ZoneInfo, grace: timedelta) -> date | None:
    """The Monday of this week when a weekly time (``"thu 09:00"``) has come and is at most
    ``grace`` old (a bot stopped over it still acts, once, when it starts again); else None."""
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    weekday, hm = spec.split()
    due = _at(monday + timedelta(days=WEEKDAYS.index(weekday)), hm, tz)
    return monday if due <= local < due + grace else None


def slot_times(
    org: OrgConfig, tz: ZoneInfo, kind: Kind, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The latest slot of ``kind`` at or before ``now`` and the next one after it, in UTC."""
    spec = org.slots.tin_tot if kind == "tin_tot" else org.slots.cau_chuyen_dep
    if spec is None:
        return None, None
    today = now.astimezone(tz).date()
    if kind == "tin_tot":
        hm, period = spec, 1
    else:
        weekday, hm = spec.split()
        today -= timedelta(days=(today.weekday() - WEEKDAYS.index(weekday)) % 7)
        period = 7
    # Whole local days, rebuilt at the wall-clock time: right even across a DST change.
    candidate = _at(today, hm, tz)
    if candidate > now:
        latest, following = _at(today - timedelta(days=period), hm, tz), candidate
    else:
        latest, following = candidate, _at(today + timedelta(days=period), hm, tz)
    return latest.astimezone(UTC), following.astimezone(UTC)


async def _first_waiting(session: AsyncSession, kind: str) -> int | None:
    """The approved submission of ``kind`` whose posts wait for a slot, approved first."""
    held = exists().where(
        col(Outbox.submission_id) == Submission.id,
        col(Outbox.kind) == OutboxKind.POST,
        col(Outbox.status) == OutboxStatus.WAITING,
    )
    query = (
        select(Submission.id)
        .where(Submission.kind == kind, Submission.status == Status.APPROVED, held)
        .order_by(col(Submission.decided_at), col(Submission.id))
        .limit(1)
    )
    return (await session.exec(query)).first()


async def _claim_slot(
    session: AsyncSession, key: str, submission_id: int | None, now: datetime
) -> bool:
    """Record the slot as served; True only for the one caller whose row went in."""
    return await insert_new(session, SlotRun, key=key, submission_id=submission_id, created_at=now)


async def tick(session: AsyncSession, *, deps: Deps, now: datetime) -> None:
    """Serve due slots, warn of empty ones, remind of old cards; the caller commits."""
    for kind in get_args(Kind):
        latest, following = slot_times(deps.org, deps.tz, kind, now)
        if latest is None or following is None:
            continue
        if now - latest <= GRACE[kind]:
            key = f"slot:{kind}:{latest.isoformat(timespec='minutes')}"
            # A read first, so that serving nothing every 30 s takes no write lock.
            if await session.get(SlotRun, key) is None:
                chosen = await _first_waiting(session, kind)
                if await _claim_slot(session, key, chosen, now) and chosen is not None:
                    await outbox.release_waiting(session, submission_id=chosen, now=now)
        near = following - now <= timedelta(minutes=deps.org.slots.warn_before_minutes)
        if near and deps.editor_chat is not None and await _first_waiting(session, kind) is None:
            slot = f"{following.astimezone(deps.tz):%H:%M %d/%m/%Y}"
            await outbox.notice(
                session,
                to=deps.editors_group,
                key=f"warn:{kind}:{following.isoformat(timespec='minutes')}",
                template="notice/slot_empty.j2",
                context={"kind": kind, "slot": slot},
            )
    await _remind(session, deps=deps, now=now)


async def _remind(session: AsyncSession, *, deps: Deps, now: datetime) -> None:
    if deps.editor_chat is None:
        return
    overdue = now - timedelta(hours=deps.org.review.remind_after_hours)
    query = (
        select(Submission)
        .where(
            Submission.status == Status.PENDING,
            col(Submission.submitted_at) < overdue,
            col(Submission.reminded_at).is_(None)
            | (col(Submission.reminded_at) < now - REMIND_EVERY),
        )
        .order_by(col(Submission.submitted_at), col(Submission.id))
    )
    subs = (await session.exec(query)).all()
    if not subs:
        return
    items = [
        {
            "id": sub.id,
            "kind": sub.kind,
            "unit_code": sub.unit_code or "",
            "hours": int((now - (sub.submitted_at or now)).total_seconds() // 3600),
        }
        for sub in subs
    ]
    # The day's key makes it one notice a day; cards it could not list wait for tomorrow's.
    sent = await outbox.notice(
        session,
        to=deps.editors_group,
        key=f"remind:{now.astimezone(deps.tz).date().isoformat()}",
        template="notice/reminder.j2",
        context={"items": items},
    )
    if sent:
        ids = [sub.id for sub in subs]
        await session.exec(
            update(Submission).where(col(Submission.id).in_(ids)).values(reminded_at=now)
        )
