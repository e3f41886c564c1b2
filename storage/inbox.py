"""Updates stored before they are acknowledged, handled from here in each sender's order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.db import insert_new
from storage.models import Inbox


async def store(
    session: AsyncSession,
    *,
    key: str,
    platform: str,
    payload: dict[str, Any],
    sender: str,
    seq: int,
) -> bool:
    """Keep an update; False when it was stored before (a re-delivery)."""
    return await insert_new(
        session,
        Inbox,
        key=key,
        platform=platform,
        sender=sender,
        seq=seq,
        payload=payload,
        created_at=clock.now(session),
    )


async def unanswered(session: AsyncSession, *, key: str) -> bool:
    """Stored and still not marked handled: the worker that handled it may have died before
    its answer went out."""
    query = select(Inbox.key).where(Inbox.key == key, col(Inbox.handled_at).is_(None))
    return (await session.exec(query)).first() is not None


async def handled(session: AsyncSession, *, key: str) -> None:
    at = clock.now(session)
    await session.exec(update(Inbox).where(col(Inbox.key) == key).values(handled_at=at))


async def next_of(session: AsyncSession, *, sender: str, limit: int = 20) -> Sequence[Inbox]:
    """A sender's unhandled updates, oldest first by the platform's own order."""
    query = (
        select(Inbox)
        .where(Inbox.sender == sender, col(Inbox.handled_at).is_(None))
        .order_by(col(Inbox.seq), col(Inbox.created_at), col(Inbox.key))
        .limit(limit)
    )
    return (await session.exec(query)).all()


async def waiting_senders(
    session: AsyncSession, *, platform: str, before: datetime, limit: int = 500
) -> list[str]:
    """Senders with an update stored before ``before`` and still unhandled: left by a worker
    that died, or kept back while the database was away."""
    query = (
        select(Inbox.sender)
        .where(
            Inbox.platform == platform,
            col(Inbox.handled_at).is_(None),
            col(Inbox.created_at) < before,
        )
        .distinct()
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def forget_handled(session: AsyncSession, *, before: datetime) -> int:
    """Handled updates are kept a while (a late re-delivery finds its key) and then dropped."""
    result = await session.exec(
        delete(Inbox).where(col(Inbox.handled_at).is_not(None), col(Inbox.handled_at) < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
