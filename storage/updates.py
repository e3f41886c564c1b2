"""At-most-once handling: an update's key is claimed in the same transaction as its effects."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import insert_new
from storage.models import ProcessedUpdate, utcnow


async def claim(session: AsyncSession, *, key: str) -> bool:
    """True when this update was not handled before. Rolled back with the handling on failure,
    so a crash mid-update leaves it to be handled again."""
    return await insert_new(session, ProcessedUpdate, key=key, created_at=utcnow())
