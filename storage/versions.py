"""A published post's corrections (/suabai): each keeps who, when and the text it replaced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PostVersion


async def add(
    session: AsyncSession,
    *,
    submission_id: int,
    old_text: str,
    new_text: str,
    by: str,
    by_name: str,
    at: datetime,
) -> None:
    session.add(
        PostVersion(
            submission_id=submission_id,
            old_text=old_text,
            new_text=new_text,
            by=by,
            by_name=by_name[:200],
            created_at=at,
        )
    )
    await session.flush()


async def of(session: AsyncSession, *, submission_id: int) -> Sequence[PostVersion]:
    """Oldest first."""
    query = (
        select(PostVersion)
        .where(col(PostVersion.submission_id) == submission_id)
        .order_by(col(PostVersion.id))
    )
    return (await session.exec(query)).all()
