"""Bans: who may no longer use the bot, why, and whether they were told."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.models import Ban


async def active(session: AsyncSession, *, platform: str, user_id: str) -> Ban | None:
    query = select(Ban).where(Ban.platform == platform, Ban.user_id == user_id, col(Ban.active))
    return (await session.exec(query)).first()


async def ban(session: AsyncSession, *, platform: str, user_id: str, reason: str, by: str) -> bool:
    """False when already banned."""
    if await active(session, platform=platform, user_id=user_id) is not None:
        return False
    session.add(Ban(platform=platform, user_id=user_id, reason=reason, banned_by=by))
    return True


async def lift(session: AsyncSession, *, platform: str, user_id: str) -> bool:
    row = await active(session, platform=platform, user_id=user_id)
    if row is None:
        return False
    row.active, row.lifted_at = False, clock.now(session)
    session.add(row)
    return True


async def listing(session: AsyncSession) -> Sequence[Ban]:
    query = select(Ban).where(col(Ban.active)).order_by(col(Ban.created_at))
    return (await session.exec(query)).all()
