"""Gộp in the database: a submission joined to another (``merged_into``), those that follow
it, and the members credited on it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.models import Member, Status, Submission, Unit


async def lock(session: AsyncSession, *, submission_id: int) -> Submission | None:
    """The submission others are merged into, read fresh and locked until the transaction
    ends (PostgreSQL), so a decision on it and a merge into it happen one after the other:
    the merged one then always follows the decision."""
    query = (
        select(Submission)
        .where(col(Submission.id) == submission_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).first()


async def merge(session: AsyncSession, *, child_id: int, into: int, **values: Any) -> bool:
    """Join a waiting submission to ``into``; False when it was decided first. Those already
    joined to it move along with it (one level only: nobody is merged into a merged one)."""
    joined = dict(merged_into=into, updated_at=clock.now(session), **values)
    result = await session.exec(
        update(Submission)
        .where(
            col(Submission.id) == child_id,
            col(Submission.status) == Status.PENDING,
            col(Submission.merged_into).is_(None),
        )
        .values(**joined)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    await session.exec(
        update(Submission).where(col(Submission.merged_into) == child_id).values(**joined)
    )
    await _refresh(session, [child_id])
    return True


async def follow(
    session: AsyncSession, *, primary_id: int, expect: Collection[Status], **values: Any
) -> Sequence[Submission]:
    """Give the submissions merged into ``primary_id`` (those in ``expect``) its new state."""
    query = select(Submission.id).where(
        col(Submission.merged_into) == primary_id, col(Submission.status).in_(expect)
    )
    ids = list((await session.exec(query)).all())
    if ids:
        await session.exec(
            update(Submission)
            .where(col(Submission.id).in_(ids), col(Submission.status).in_(expect))
            .values(updated_at=clock.now(session), **values)
        )
    return await _refresh(session, [i for i in ids if i is not None])


async def unmerge(session: AsyncSession, *, primary_id: int) -> Sequence[Submission]:
    """Those still waiting with ``primary_id`` wait on their own again, undecided."""
    return await follow(
        session,
        primary_id=primary_id,
        expect=(Status.MERGED,),
        status=Status.PENDING,
        merged_into=None,
        decided_by=None,
        decided_by_name=None,
        decided_at=None,
    )


async def contributors(session: AsyncSession, *, primary_id: int) -> list[tuple[str, str]]:
    """(display name, unit name) of each member who sent the story, the first sender first;
    empty when nothing was merged into it. An erased member's name is ""."""
    return credited(await credits(session, primary_id=primary_id))


def credited(rows: list[list[Any]]) -> list[tuple[str, str]]:
    """The credit line's (name, unit name) pairs from ``credits``' rows."""
    pairs = [(str(name or ""), str(unit or "")) for _, name, unit in rows]
    unique = list(dict.fromkeys(pairs))  # one member who sent it twice is credited once
    return unique if len(unique) > 1 else []


async def credits(session: AsyncSession, *, primary_id: int) -> list[list[Any]]:
    """[member id, display name, unit name] of each submission of the story, first first: what
    the archive freezes at publication."""
    query = (
        select(Member.id, Member.display_name, Unit.name)
        .select_from(Submission)
        .join(Member, col(Member.id) == col(Submission.member_id))
        .outerjoin(Unit, col(Unit.code) == col(Submission.unit_code))
        .where(or_(col(Submission.id) == primary_id, col(Submission.merged_into) == primary_id))
        .order_by(col(Submission.id))
    )
    return [
        [ident, name or "", unit or ""] for ident, name, unit in (await session.exec(query)).all()
    ]


async def credited_in(session: AsyncSession, *, member_id: int) -> Sequence[Submission]:
    """The published items whose frozen credits name this member (theirs, or merged in)."""
    own = select(Submission.id, Submission.merged_into).where(
        col(Submission.member_id) == member_id, col(Submission.status) == Status.PUBLISHED
    )
    ids = {into or ident for ident, into in (await session.exec(own)).all()}
    if not ids:
        return []
    query = select(Submission).where(
        col(Submission.id).in_(sorted(i for i in ids if i)),
        col(Submission.published_credits).is_not(None),
    )
    return (await session.exec(query)).all()


async def _refresh(session: AsyncSession, ids: list[int]) -> Sequence[Submission]:
    """The rows after a bulk UPDATE (the session's copies of them are stale)."""
    if not ids:
        return []
    query = (
        select(Submission)
        .where(col(Submission.id).in_(ids))
        .order_by(col(Submission.id))
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).all()
