"""The two things the office's board shows that /report does not count: each unit's last
publication, and which days each publish target carried a post (a month: a few hundred rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox, OutboxKind, OutboxStatus, Submission


async def last_published(session: AsyncSession) -> dict[str, datetime]:
    """Unit code → when its latest item was published."""
    query = (
        select(Submission.unit_code, func.max(Submission.published_at))
        .where(col(Submission.published_at).is_not(None), col(Submission.unit_code).is_not(None))
        .group_by(col(Submission.unit_code))
    )
    return {code: at for code, at in (await session.exec(query)).all() if code and at}


async def posts_sent(
    session: AsyncSession, *, start: datetime, end: datetime
) -> list[tuple[str, str, datetime]]:
    """(platform, chat, sent at) of each post sent in [start, end)."""
    query = select(Outbox.platform, Outbox.chat_id, Outbox.sent_at).where(
        col(Outbox.kind) == OutboxKind.POST,
        col(Outbox.status) == OutboxStatus.SENT,
        col(Outbox.sent_at) >= start,
        col(Outbox.sent_at) < end,
    )
    return [(p, c, at) for p, c, at in (await session.exec(query)).all() if at is not None]
