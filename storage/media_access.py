"""Who may fetch a stored photo: the public while an item that shows it is published and not
taken down; a platform fetching it by URL (Zalo's sendPhoto) while its item is still in the
member's conversation or with the editors (the preview, the card) or a send of it is pending.
Nothing else: a take-down, an erasure, a rejection close the address at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Media, Outbox, OutboxStatus, Status, Submission

PENDING = (OutboxStatus.WAITING, OutboxStatus.QUEUED, OutboxStatus.SENDING)
# Not decided yet: the member's preview and the editors' card show its photos by URL.
THUMB = "image/jpeg"
UNDECIDED = (Status.DRAFT, Status.PENDING, Status.NEEDS_INFO)


@dataclass(frozen=True)
class Access:
    mime: str
    public: bool  # a published item shows it; else only a pending send needs it
    shown: bool  # False: media rows still name it, but nothing may show it (gone)


async def access(session: AsyncSession, *, sha256: str) -> Access | None:
    """How the bytes of ``sha256`` (a photo, or a photo's thumbnail) may be served; None when
    no media row names them."""
    names = or_(col(Media.sha256) == sha256, col(Media.thumb_sha256) == sha256)
    any_row = select(Media.sha256, Media.mime).where(names, col(Media.mime).is_not(None))
    named = (await session.exec(any_row.limit(1))).first()
    if named is None:
        return None
    # A thumbnail is a JPEG (bot.runtime.archive_media), shown as long as its photo is.
    mime = (named[1] or "") if named[0] == sha256 else THUMB
    up = (
        select(Submission.id, Submission.status)
        .join(Media, col(Submission.id) == col(Media.submission_id))
        .where(names, col(Submission.taken_down_at).is_(None))
    )
    rows = (await session.exec(up)).all()
    states = {status for _, status in rows}
    if Status.PUBLISHED in states:
        return Access(mime, public=True, shown=True)
    if states & set(UNDECIDED):
        return Access(mime, public=False, shown=True)
    waiting = select(Outbox.id).where(
        col(Outbox.submission_id).in_([sub for sub, _ in rows]),
        col(Outbox.status).in_(list(PENDING)),
    )
    pending = bool(rows) and (await session.exec(waiting.limit(1))).first() is not None
    return Access(mime, public=False, shown=pending)
