"""Updates stored before they are acknowledged, handled from here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import insert_new
from storage.models import Inbox, utcnow


async def store(session: AsyncSession, *, key: str, platform: str, payload: dict[str, Any]) -> bool:
    """Keep an update; False when it was stored before (a re-delivery)."""
    return await insert_new(
        session, Inbox, key=key, platform=platform, payload=payload, created_at=utcnow()
    )


async def handled(session: AsyncSession, *, key: str) -> None:
    await session.exec(update(Inbox).where(col(Inbox.key) == key).values(handled_at=utcnow()))


async def unhandled(session: AsyncSession, *, platform: str, limit: int = 500) -> Sequence[Inbox]:
    query = (
        select(Inbox)
        .where(Inbox.platform == platform, col(Inbox.handled_at).is_(None))
        .order_by(col(Inbox.created_at))
        .limit(limit)
    )
    return (await session.exec(query)).all()
