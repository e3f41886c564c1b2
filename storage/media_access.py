"""Who may fetch a stored photo: the public while an item that shows it is published and not
taken down; a platform fetching it by URL (Zalo's sendPhoto) while its item is still in the
member's conversation or with the editors (the preview, the card) or a send of it is pending.
Nothing else: a take-down, an erasure, a rejection close the address at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Media, Outbox, OutboxStatus, Status, Submission

PENDING = (OutboxStatus.WAITING, OutboxStatus.QUEUED, OutboxStatus.SENDING)
# Not decided yet: the member's preview and the editors' card show its photos by URL.
UNDECIDED = (Status.DRAFT, Status.PENDING, Status.NEEDS_INFO)


@dataclass(frozen=True)
class Access:
    mime: str
    public: bool  # a published item shows it; else only a pending send needs it
    shown: bool  # False: media rows still name it, but nothing may show it (gone)


async def access(session: AsyncSession, *, sha256: str) -> Access | None:
    """How the bytes of ``sha256`` may be served; None when no media row names them."""
    query = (
        select(Media.mime, Media.submission_id, Submission.status, Submission.taken_down_at)
        .join(Submission, col(Submission.id) == col(Media.submission_id))
        .where(Media.sha256 == sha256, col(Media.mime).is_not(None))
    )
    rows = (await session.exec(query)).all()
    if not rows:
        return None
    mime = rows[0][0] or ""
    up = [sub for _, sub, status, down in rows if down is None]
    states = {status for _, _, status, down in rows if down is None}
    if Status.PUBLISHED in states:
        return Access(mime, public=True, shown=True)
    if states & set(UNDECIDED):
        return Access(mime, public=False, shown=True)
    waiting = select(Outbox.id).where(
        col(Outbox.submission_id).in_(up), col(Outbox.status).in_(list(PENDING))
    )
    pending = bool(up) and (await session.exec(waiting.limit(1))).first() is not None
    return Access(mime, public=False, shown=pending)
