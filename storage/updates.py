"""At-most-once handling: an update's key is claimed in the same transaction as its effects."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


async def claim(session: AsyncSession, *, key: str) -> bool:
    """True when this update was not handled before. Rolled back with the handling on failure,
    so a crash mid-update leaves it to be handled again."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ProcessedUpdate).values(key=key).on_conflict_do_nothing()
    result = await session.exec(statement)
    return bool(getattr(result, "rowcount", 0) == 1)
