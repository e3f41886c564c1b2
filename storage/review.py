"""Editorial decisions (one conditional UPDATE each), the audit log, staff roles, and what an
editor is about to type."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, true, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.models import Audit, PendingInput, Staff, Status, Submission


async def decide(
    session: AsyncSession,
    *,
    submission_id: int,
    expect: Status | Collection[Status],
    to: Status,
    actor: str,
    actor_name: str,
    member_id: int | None = None,
    now: datetime | None = None,
    **values: Any,
) -> bool:
    """Move a submission from ``expect`` to ``to``; False when someone else moved it first.
    The WHERE on the status makes two simultaneous presses yield exactly one decision.
    ``member_id``: only that member's own submission (a member withdrawing it)."""
    now = now or clock.now(session)
    expected = [expect] if isinstance(expect, Status) else list(expect)
    owner = col(Submission.member_id) == member_id if member_id is not None else true()
    result = await session.exec(
        update(Submission)
        .where(col(Submission.id) == submission_id, col(Submission.status).in_(expected), owner)
        .values(
            status=to,
            decided_by=actor,
            decided_by_name=actor_name[:200],
            decided_at=now,
            updated_at=now,
            **values,
        )
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    # The row in this session's identity map is stale after a bulk UPDATE.
    cached = await session.get(Submission, submission_id)
    if cached is not None:
        await session.refresh(cached)
    return True


async def audit(
    session: AsyncSession,
    *,
    submission_id: int | None,
    actor: str,
    actor_name: str,
    action: str,
    note: str | None = None,
) -> None:
    session.add(
        Audit(
            submission_id=submission_id,
            actor=actor,
            actor_name=actor_name[:200],
            action=action,
            note=note,
        )
    )


async def history(session: AsyncSession, *, submission_id: int) -> Sequence[Audit]:
    query = select(Audit).where(Audit.submission_id == submission_id).order_by(col(Audit.id))
    return (await session.exec(query)).all()


async def waiting(session: AsyncSession, *, limit: int = 20) -> Sequence[Submission]:
    query = (
        select(Submission)
        .where(Submission.status == Status.PENDING)
        .order_by(col(Submission.submitted_at), col(Submission.id))
        .limit(limit)
    )
    return (await session.exec(query)).all()


async def staff_row(session: AsyncSession, *, platform: str, user_id: str) -> Staff | None:
    """Their row, active or not: an inactive one records a removal by an admin."""
    query = select(Staff).where(Staff.platform == platform, Staff.user_id == user_id)
    return (await session.exec(query)).first()


async def set_staff(
    session: AsyncSession, *, platform: str, user_id: str, role: str | None, added_by: str
) -> None:
    """Add (or change) an editor or admin; ``role=None`` removes them, with a row kept even
    for someone of EDITOR_IDS / ADMIN_IDS, since the removal overrides those lists."""
    row = await staff_row(session, platform=platform, user_id=user_id)
    if row is None:
        row = Staff(platform=platform, user_id=user_id, role=role or "editor")
    row.active = role is not None
    row.role = role or row.role
    row.added_by = added_by
    session.add(row)


async def staff(session: AsyncSession, *, active: bool | None = True) -> Sequence[Staff]:
    """Those added (``active=False``: those removed; ``None``: both, in one read)."""
    query = select(Staff).order_by(col(Staff.id))
    if active is not None:
        query = query.where(col(Staff.active) == active)
    return (await session.exec(query)).all()


async def set_input(
    session: AsyncSession,
    *,
    platform: str,
    user_id: str,
    chat_id: str,
    action: str,
    submission_id: int,
    data: dict[str, Any] | None = None,
) -> None:
    await clear_input(session, platform=platform, user_id=user_id, chat_id=chat_id)
    session.add(
        PendingInput(
            platform=platform,
            user_id=user_id,
            chat_id=chat_id,
            action=action,
            submission_id=submission_id,
            data=data or {},
        )
    )
    await session.flush()


async def get_input(
    session: AsyncSession, *, platform: str, user_id: str, chat_id: str
) -> PendingInput | None:
    query = select(PendingInput).where(
        PendingInput.platform == platform,
        PendingInput.user_id == user_id,
        PendingInput.chat_id == chat_id,
    )
    return (await session.exec(query)).first()


async def clear_input(session: AsyncSession, *, platform: str, user_id: str, chat_id: str) -> None:
    await session.exec(
        delete(PendingInput).where(
            col(PendingInput.platform) == platform,
            col(PendingInput.user_id) == user_id,
            col(PendingInput.chat_id) == chat_id,
        )
    )
