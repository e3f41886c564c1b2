"""At-most-once handling: an update's key is claimed in the same transaction as its effects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.db import insert_new
from storage.models import ProcessedUpdate


async def claim(session: AsyncSession, *, key: str) -> bool:
    """True when this update was not handled before. Rolled back with the handling on failure,
    so a crash mid-update leaves it to be handled again."""
    return await insert_new(session, ProcessedUpdate, **claim_row(session, key=key))


def claim_row(session: AsyncSession, *, key: str) -> dict[str, object]:
    """The claim's row: every column given, so on SQLite it runs straight on the connection
    (``storage.direct.insert_all``)."""
    return {"key": key, "created_at": clock.now(session)}


async def forget_claims(session: AsyncSession, *, before: datetime) -> int:
    """Claims older than any re-delivery (Telegram retries for 24 hours) only take room."""
    result = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.created_at) < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
