"""The editors' choice on the personal data in a submission: masked (the default) or kept."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.models import Audit, Status, Submission

KEEP, MASK = "keep_personal", "mask_personal"  # the audit's actions


async def set_keep(session: AsyncSession, *, submission_id: int, keep: bool) -> bool:
    """Publish the personal data as written (``keep``) or masked; False when the submission no
    longer waits or already is so (a double press, two editors at once: one change)."""
    result = await session.exec(
        update(Submission)
        .where(
            col(Submission.id) == submission_id,
            col(Submission.status) == Status.PENDING,
            col(Submission.keep_personal) != keep,
        )
        .values(keep_personal=keep, updated_at=clock.now(session))
    )
    changed = getattr(result, "rowcount", 0) == 1
    cached = await session.get(Submission, submission_id)
    if cached is not None:
        await session.refresh(cached)  # stale after a bulk UPDATE
    return changed


async def kept_by(session: AsyncSession, *, submission_id: int) -> str | None:
    """The name of the editor whose choice stands, when it was to keep the data as written."""
    query = (
        select(Audit)
        .where(col(Audit.submission_id) == submission_id, col(Audit.action).in_((KEEP, MASK)))
        .order_by(col(Audit.id).desc())
        .limit(1)
    )
    last = (await session.exec(query)).first()
    return last.actor_name if last is not None and last.action == KEEP else None
