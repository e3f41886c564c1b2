"""The earlier submissions a new one may retell (``handlers.merging.duplicates`` has the rule)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Status, Submission

# A story can repeat one still waiting, or one decided for publication; not a rejected,
# withdrawn or merged one (a merged one is credited on the submission it joined).
LIVE = (Status.PENDING, Status.NEEDS_INFO, Status.APPROVED, Status.PUBLISHED)


async def candidates(
    session: AsyncSession, *, before_id: int, since: datetime, limit: int, read: Sequence[str]
) -> Sequence[Row[Any]]:
    """Live submissions sent since ``since`` and earlier than ``before_id``, newest first: a
    range scan of ``ix_submission_report_submitted`` (submitted_at leads it). Only the
    columns named in ``read`` (each row reads like a submission by those names): up to
    hundreds of rows, once per submission sent, are not loaded as whole objects."""
    columns = [getattr(Submission, name) for name in read]
    query = (
        select(*columns)
        .where(
            col(Submission.submitted_at) >= since,
            col(Submission.status).in_(LIVE),
            col(Submission.merged_into).is_(None),
            col(Submission.id) < before_id,
        )
        .order_by(col(Submission.submitted_at).desc())
        .limit(limit)
    )
    return (await session.exec(query)).all()  # type: ignore[no-any-return]
