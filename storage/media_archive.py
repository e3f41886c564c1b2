"""The photos the public archive shows, brought into the store once their item is approved
(``bot.runtime.archive_media``): which still lack their bytes or their thumbnail."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Media, Status, Submission

TRIES = 5  # a photo its platform no longer has is not asked for forever


async def unarchived(
    session: AsyncSession, *, platforms: Collection[str], limit: int = 20
) -> list[Media]:
    """Photos of approved or published items still up that the store lacks, or whose
    thumbnail is not made, of the ``platforms`` this worker can fetch from; oldest first."""
    query = (
        select(Media)
        .join(Submission, col(Submission.id) == col(Media.submission_id))
        .where(
            col(Submission.status).in_([Status.APPROVED, Status.PUBLISHED]),
            col(Submission.taken_down_at).is_(None),
            col(Media.kind) == "photo",
            col(Media.platform).in_(list(platforms)),
            col(Media.thumb_sha256).is_(None),
            col(Media.archive_tries) < TRIES,
        )
        .order_by(col(Media.id))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def note_thumb(session: AsyncSession, *, media_id: int, sha256: str) -> None:
    await session.exec(update(Media).where(col(Media.id) == media_id).values(thumb_sha256=sha256))


async def note_failure(session: AsyncSession, *, media_id: int) -> None:
    tries = col(Media.archive_tries) + 1
    await session.exec(update(Media).where(col(Media.id) == media_id).values(archive_tries=tries))
