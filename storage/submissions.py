"""Submissions (drafts included) and their media."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.models import Media, Status, Submission


async def create_draft(session: AsyncSession, *, member_id: int, kind: str) -> Submission:
    draft = Submission(member_id=member_id, kind=kind, status=Status.DRAFT)
    session.add(draft)
    await session.flush()
    return draft


async def get(session: AsyncSession, *, submission_id: int | None) -> Submission | None:
    return await session.get(Submission, submission_id) if submission_id else None


async def locked(session: AsyncSession, *, submission_id: int) -> Submission | None:
    """The submission read afresh with its row locked until the transaction ends (PostgreSQL;
    SQLite serialises writers anyway): work that decides on the state of several rows of it,
    e.g. whether every post of it is out, is done one worker after another."""
    return await session.get(
        Submission, submission_id, with_for_update=True, populate_existing=True
    )


async def set_field(
    session: AsyncSession, *, submission: Submission, name: str, value: object
) -> None:
    setattr(submission, name, value)
    submission.updated_at = clock.now(session)
    session.add(submission)


# The media reads below run without autoflush: media rows are written by statements or by
# ``add_media``, which flushes, so no pending change can alter what they find, and flushing
# a member's update half-way would write the member's row twice in one update.


async def media(session: AsyncSession, *, submission_id: int) -> Sequence[Media]:
    query = select(Media).where(Media.submission_id == submission_id).order_by(col(Media.id))
    with session.no_autoflush:
        return (await session.exec(query)).all()


async def media_count(session: AsyncSession, *, submission_id: int) -> int:
    query = select(func.count()).select_from(Media).where(Media.submission_id == submission_id)
    with session.no_autoflush:
        return int((await session.exec(query)).one())


async def group_seen(session: AsyncSession, *, submission_id: int, media_group_id: str) -> bool:
    query = select(Media.id).where(
        Media.submission_id == submission_id, Media.media_group_id == media_group_id
    )
    with session.no_autoflush:
        return (await session.exec(query.limit(1))).first() is not None


async def add_media(session: AsyncSession, *, item: Media) -> None:
    session.add(item)
    await session.flush()


async def submit(
    session: AsyncSession, *, submission: Submission, unit_code: str, theme_key: str
) -> None:
    now = clock.now(session)
    submission.status = Status.PENDING
    submission.unit_code, submission.theme_key = unit_code, theme_key
    submission.submitted_at = submission.updated_at = now
    session.add(submission)


async def cancel(session: AsyncSession, *, submission: Submission) -> None:
    submission.status = Status.CANCELLED
    submission.updated_at = clock.now(session)
    session.add(submission)


async def of_member(
    session: AsyncSession, *, member_id: int, limit: int = 20
) -> Sequence[Submission]:
    query = (
        select(Submission)
        .where(
            Submission.member_id == member_id,
            col(Submission.status).not_in([Status.DRAFT, Status.CANCELLED]),
        )
        .order_by(col(Submission.id).desc())
        .limit(limit)
    )
    return (await session.exec(query)).all()
