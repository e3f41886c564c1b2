"""The media store's bytes on PostgreSQL read a slice at a time, so serving a large photo
never holds it whole in the bot's memory (``bot.runtime.media_stream``)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import MediaBlob


async def size(session: AsyncSession, *, sha256: str) -> int | None:
    query = select(func.octet_length(MediaBlob.data)).where(MediaBlob.sha256 == sha256)
    found = (await session.exec(query)).first()
    return None if found is None else int(found)


async def chunk(session: AsyncSession, *, sha256: str, start: int, length: int) -> bytes:
    """``length`` bytes from offset ``start`` (fewer at the end; none once it is deleted)."""
    query = select(func.substr(MediaBlob.data, start + 1, length)).where(MediaBlob.sha256 == sha256)
    found = (await session.exec(query)).first()
    return bytes(found) if found else b""
