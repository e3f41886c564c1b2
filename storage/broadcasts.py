"""An admin's word to units' contacts (/thongbao): each contact a notice row in the outbox,
keyed ``thongbao:<stamp>:<who>``, so its outcome is read back from the outbox itself."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox, OutboxKind

PREFIX = "thongbao:"


async def last_prefix(session: AsyncSession) -> str | None:
    """``thongbao:<stamp>:`` of the newest broadcast, if any."""
    query = (
        select(Outbox.key)
        .where(col(Outbox.kind) == OutboxKind.NOTICE, col(Outbox.key).startswith(PREFIX))
        .order_by(col(Outbox.id).desc())
        .limit(1)
    )
    key = (await session.exec(query)).first()
    if key is None:
        return None
    stamp = key[len(PREFIX) :].split(":", 1)[0]
    return f"{PREFIX}{stamp}:"


async def outcome(session: AsyncSession, *, prefix: str) -> Counter[str]:
    """Status → rows of one broadcast."""
    query = (
        select(Outbox.status, func.count())
        .where(col(Outbox.key).startswith(prefix, autoescape=True))
        .group_by(col(Outbox.status))
    )
    return Counter({status: int(n) for status, n in (await session.exec(query)).all()})
