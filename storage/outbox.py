"""The outbox: what must be sent outside the chat being answered, sent once.

queued → sending (claimed, with a lease) → sent, or back to queued with a later ``not_before``
(429, 5xx), or failed (out of attempts), or needs_check (the request left, no answer came).
Posts held for a posting slot wait as ``waiting`` until the slot releases them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.db import OUTBOX_DUE, insert_new
from storage.models import Outbox, OutboxKind, OutboxStatus


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: OutboxKind,
    platform: str,
    chat_id: str,
    submission_id: int | None = None,
    template: str | None = None,
    context: dict[str, Any] | None = None,
    not_before: datetime | None = None,
    status: OutboxStatus = OutboxStatus.QUEUED,
) -> bool:
    """Add a row unless one with the same key exists; True when added."""
    now = clock.now(session)
    added = await insert_new(
        session,
        Outbox,
        key=key,
        kind=kind.value,
        platform=platform,
        chat_id=chat_id,
        submission_id=submission_id,
        template=template,
        context=context or {},
        status=status.value,
        attempts=0,
        not_before=not_before or now,
        message_ids=[],
        created_at=now,
        updated_at=now,
    )
    if added and status == OutboxStatus.QUEUED and (not_before is None or not_before <= now):
        _due(session)
    return added


def _due(session: AsyncSession) -> None:
    """This transaction made a row due: its commit wakes this process's outbox workers
    (``bot/runtime/doorbell.py``)."""
    session.info[OUTBOX_DUE] = True


async def notice(
    session: AsyncSession,
    *,
    to: tuple[str, str | None],
    key: str,
    template: str,
    context: dict[str, Any],
    submission_id: int | None = None,
) -> bool:
    """A message from a template to one chat, (platform, chat id): a member, the editors'
    group, an editor in private. Sent once per key; nothing when there is no chat (no
    editors' group configured). True when added."""
    platform, chat_id = to
    if chat_id is None:
        return False
    return await enqueue(
        session,
        key=key,
        kind=OutboxKind.NOTICE,
        platform=platform,
        chat_id=chat_id,
        submission_id=submission_id,
        template=template,
        context=context,
    )


async def expire_leases(session: AsyncSession, *, platform: str, now: datetime) -> None:
    """Rows left in ``sending`` by a worker that died: a post may have gone out, so an editor
    checks it; a card or a notice is simply sent again."""
    expired = (
        col(Outbox.platform) == platform,
        col(Outbox.status) == OutboxStatus.SENDING,
        col(Outbox.lease_until) < now,
    )
    await session.exec(
        update(Outbox)
        .where(*expired, col(Outbox.kind) == OutboxKind.POST)
        .values(status=OutboxStatus.NEEDS_CHECK, error="lease expired mid-send", updated_at=now)
    )
    await session.exec(
        update(Outbox)
        .where(*expired, col(Outbox.kind) != OutboxKind.POST)
        .values(status=OutboxStatus.QUEUED, updated_at=now)
    )


async def claim_due(
    session: AsyncSession, *, platform: str, now: datetime, lease: timedelta, limit: int = 20
) -> Sequence[Outbox]:
    """Take due rows for sending, oldest first. On PostgreSQL ``SKIP LOCKED`` lets several
    workers claim side by side without taking the same row."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    params = {"platform": platform, "now": now, "limit": limit}
    rows: Sequence[Outbox] = (await session.exec(_due_query(dialect), params=params)).all()
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.attempts += 1
        row.lease_until = now + lease
        row.updated_at = now
        session.add(row)
    if rows:
        await session.flush()
    return rows


async def next_due(session: AsyncSession, *, platform: str) -> datetime | None:
    """When the platform's first queued row comes due (None: none queued)."""
    due: datetime | None = (
        await session.exec(_next_due_query(), params={"platform": platform})
    ).one()
    return due


# Built once: an idle outbox worker runs these twice a second, and building them (and their
# cache keys) at each pass was a third of its CPU (the idle bot: 14 ms of CPU a second).
@cache
def _due_query(dialect: str) -> Any:
    not_before = col(Outbox.not_before)
    query = (
        select(Outbox)
        .where(
            col(Outbox.platform) == bindparam("platform", type_=String),
            col(Outbox.status) == OutboxStatus.QUEUED,
            not_before <= bindparam("now", type_=Outbox.__table__.c.not_before.type),  # type: ignore[attr-defined]
        )
        .order_by(not_before, col(Outbox.id))
        .limit(bindparam("limit", type_=Integer))
    )
    return query.with_for_update(skip_locked=True) if dialect == "postgresql" else query


@cache
def _next_due_query() -> Any:
    return select(func.min(Outbox.not_before)).where(
        col(Outbox.platform) == bindparam("platform", type_=String),
        col(Outbox.status) == OutboxStatus.QUEUED,
    )


async def get(session: AsyncSession, *, item_id: int) -> Outbox | None:
    return await session.get(Outbox, item_id)


async def mark_sent(
    session: AsyncSession, *, item: Outbox, message_ids: list[str], link: str | None
) -> None:
    now = clock.now(session)
    item.status, item.message_ids, item.link = OutboxStatus.SENT, message_ids, link
    item.sent_at = item.updated_at = now
    item.lease_until, item.error = None, None
    session.add(item)


async def retry_later(session: AsyncSession, *, item: Outbox, at: datetime, error: str) -> None:
    item.status, item.not_before, item.error = OutboxStatus.QUEUED, at, error[:500]
    item.lease_until, item.updated_at = None, clock.now(session)
    session.add(item)


async def give_up(session: AsyncSession, *, item: Outbox, status: OutboxStatus, error: str) -> None:
    item.status, item.error, item.lease_until = status, error[:500], None
    item.updated_at = clock.now(session)
    session.add(item)


async def release_waiting(session: AsyncSession, *, submission_id: int, now: datetime) -> int:
    """A slot (or "Đăng ngay") lets a held post go: waiting → queued."""
    result = await session.exec(
        update(Outbox)
        .where(
            col(Outbox.submission_id) == submission_id,
            col(Outbox.status) == OutboxStatus.WAITING,
        )
        .values(status=OutboxStatus.QUEUED, not_before=now, updated_at=now)
    )
    return _counted(session, result)


async def of_submission(
    session: AsyncSession, *, submission_id: int, kind: OutboxKind | None = None
) -> Sequence[Outbox]:
    query = select(Outbox).where(Outbox.submission_id == submission_id)
    if kind is not None:
        query = query.where(Outbox.kind == kind)
    return (await session.exec(query.order_by(col(Outbox.id)))).all()


async def problems(session: AsyncSession) -> Sequence[Outbox]:
    """Posts an editor must look at: failed, or maybe-sent."""
    query = select(Outbox).where(
        col(Outbox.status).in_([OutboxStatus.FAILED, OutboxStatus.NEEDS_CHECK])
    )
    return (await session.exec(query.order_by(col(Outbox.id)))).all()


async def retry_now(session: AsyncSession, *, platform: str, chat_id: str, now: datetime) -> int:
    """A target whose token (or password) was just proven to work: its posts waiting for a
    later try go now, not at the retry's time (a renewed page token, with many pages, is
    common)."""
    result = await session.exec(
        update(Outbox)
        .where(
            col(Outbox.platform) == platform,
            col(Outbox.chat_id) == chat_id,
            col(Outbox.status) == OutboxStatus.QUEUED,
            col(Outbox.not_before) > now,
        )
        .values(not_before=now, updated_at=now)
    )
    return _counted(session, result)


async def with_prefix(session: AsyncSession, *, prefix: str) -> Sequence[Outbox]:
    """The rows whose key starts with ``prefix`` (one command's changes), oldest first."""
    query = select(Outbox).where(col(Outbox.key).startswith(prefix, autoescape=True))
    return (await session.exec(query.order_by(col(Outbox.id)))).all()


async def hold(session: AsyncSession, *, item: Outbox, error: str, reachable: bool) -> None:
    """A card or a notice its person cannot receive yet (``reachable``: outside a platform's
    window; kept, not retried, until ``release_held`` when they next write) or at all (failed:
    not following, inactive). Marked so the card that says so is brought up to date."""
    status = OutboxStatus.HELD if reachable else OutboxStatus.FAILED
    item.status, item.error, item.lease_until = status, error[:500], None
    item.attempts = max(item.attempts - 1, 0)  # waiting is not a failed attempt
    item.context = {**(item.context or {}), "was_held": True}
    item.updated_at = clock.now(session)
    session.add(item)


async def release_held(session: AsyncSession, *, platform: str, chat_id: str, now: datetime) -> int:
    """The person wrote again: what was held for them goes now, in the order it was queued."""
    result = await session.exec(
        update(Outbox)
        .where(
            col(Outbox.platform) == platform,
            col(Outbox.chat_id) == chat_id,
            col(Outbox.status) == OutboxStatus.HELD,
        )
        .values(status=OutboxStatus.QUEUED, not_before=now, updated_at=now)
    )
    return _counted(session, result)


def _counted(session: AsyncSession, result: object) -> int:
    """The rows an UPDATE made due (the workers woken when there are any)."""
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        _due(session)
    return count


async def unreached(
    session: AsyncSession, *, submission_id: int, platform: str, chat_id: str
) -> Sequence[Outbox]:
    """Notices of a submission to its member that wait for them (held) or could not reach
    them (failed as unreachable, see ``hold``): the editors' card says so."""
    query = select(Outbox).where(
        Outbox.submission_id == submission_id,
        Outbox.kind == OutboxKind.NOTICE,
        Outbox.platform == platform,
        Outbox.chat_id == chat_id,
        col(Outbox.status).in_([OutboxStatus.HELD, OutboxStatus.FAILED]),
    )
    rows = (await session.exec(query.order_by(col(Outbox.id)))).all()
    return [row for row in rows if (row.context or {}).get("was_held")]
