"""The bot's own media store: the bytes of the photos and videos posts carry, kept once per
content (sha256), shared by every worker and surviving restarts.

Where the bytes live follows the database: with PostgreSQL in the ``mediablob`` table (several
workers share it by construction), with SQLite in a directory: the session's
``info["media_dir"]`` (MEDIA_DIR), else ``media/`` beside the database file. Files are written
atomically (a temporary file, then a rename) and deleted only after the transaction that
dropped their last reference commits.

What is stored is checked first, by its magic bytes, never by its name: images and videos only,
within LIMITS.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from sqlalchemy import delete, event, exists, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import now
from storage.db import insert_new
from storage.models import Media, MediaBlob

MB = 1024 * 1024
# The one place the limits live. 20 MB: Telegram's getFile limit, so the office can always
# download a photo; 50 MB: what a Bot API upload and a Facebook/WordPress upload all take.
LIMITS = {"photo": 20 * MB, "video": 50 * MB}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
}


class Refused(Exception):
    """Not stored: ``reason`` is ``not_media`` or ``too_big`` (then ``limit_mb`` says what fits)."""

    def __init__(self, reason: str, limit_mb: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.limit_mb = reason, limit_mb


@dataclass(frozen=True)
class Stored:
    sha256: str
    mime: str
    size: int
    width: int | None = None
    height: int | None = None

    @property
    def kind(self) -> str:
        return "video" if self.mime.startswith("video/") else "photo"

    @property
    def name(self) -> str:
        return f"{self.sha256}.{EXTENSIONS[self.mime]}"


def sniff(head: bytes) -> str | None:
    """The media type its first bytes announce (the formats phones send), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":  # ISO base media: the brand tells a HEIC photo from a video
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    return None


def inspect(data: bytes) -> Stored:
    """Check and describe bytes; raises ``Refused``."""
    mime = sniff(data[:16])
    if mime is None:
        raise Refused("not_media")
    kind = "video" if mime.startswith("video/") else "photo"
    if len(data) > LIMITS[kind]:
        raise Refused("too_big", LIMITS[kind] // MB)
    width = height = None
    if kind == "photo":
        from PIL import Image  # reads the header only

        with contextlib.suppress(Exception), Image.open(BytesIO(data)) as image:
            width, height = image.size
    return Stored(hashlib.sha256(data).hexdigest(), mime, len(data), width, height)


def _postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def media_dir(session: AsyncSession) -> Path:
    configured = session.info.get("media_dir")
    if configured:
        return Path(configured)
    bind = session.get_bind()
    return Path(bind.engine.url.database or "data/x").resolve().parent / "media"


def file_of(session: AsyncSession, *, sha256: str) -> Path | None:
    """Where the bytes of ``sha256`` are a file (SQLite); None: rows (``storage.media_blobs``)."""
    return None if _postgres(session) else media_dir(session) / sha256


def _write(path: Path, data: bytes) -> None:
    if path.exists():  # content-addressed: the same bytes are there already
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


async def put(session: AsyncSession, *, data: bytes) -> Stored:
    """Check ``data`` and keep it (once per content); raises ``Refused``."""
    stored = await asyncio.to_thread(inspect, data)  # hashing 50 MB takes a while: off the loop
    if _postgres(session):
        blob = {"sha256": stored.sha256, "mime": stored.mime, "data": data}
        await insert_new(session, MediaBlob, **blob, created_at=now(session))
    else:
        await asyncio.to_thread(_write, media_dir(session) / stored.sha256, data)
    return stored


async def read(session: AsyncSession, *, sha256: str) -> bytes | None:
    if _postgres(session):
        return (
            await session.exec(select(MediaBlob.data).where(MediaBlob.sha256 == sha256))
        ).first()
    path = media_dir(session) / sha256
    try:
        return await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        return None


async def record(session: AsyncSession, *, media_id: int, stored: Stored, now: datetime) -> None:
    """Note on a media row that its bytes are in the store."""
    await session.exec(
        update(Media)
        .where(col(Media.id) == media_id)
        .values(
            sha256=stored.sha256,
            mime=stored.mime,
            size=stored.size,
            width=stored.width,
            height=stored.height,
            stored_at=now,
        )
    )


async def record_ref(
    session: AsyncSession, *, platform: str, ref: str, stored: Stored, now: datetime
) -> None:
    """Note it on every row of ``ref`` not yet stored (a Zalo photo fetched at intake)."""
    rows = select(Media.id).where(
        Media.platform == platform, Media.ref == ref, col(Media.sha256).is_(None)
    )
    for media_id in (await session.exec(rows)).all():
        if media_id is not None:
            await record(session, media_id=media_id, stored=stored, now=now)


async def shas_of(session: AsyncSession, *, submission_ids: Collection[int]) -> set[str]:
    """The stored bytes the media rows of these submissions name: originals and thumbnails."""
    query = select(Media.sha256, Media.thumb_sha256).where(
        col(Media.submission_id).in_(list(submission_ids))
    )
    return {sha for row in (await session.exec(query)).all() for sha in row if sha}


async def forget(session: AsyncSession, *, shas: Collection[str]) -> None:
    """Delete the bytes of ``shas`` that no media row refers to any more (call after deleting
    the rows): the blob rows at once, the files once the transaction commits."""
    if not shas:
        return
    used = exists().where(
        or_(
            col(Media.sha256) == col(MediaBlob.sha256),
            col(Media.thumb_sha256) == col(MediaBlob.sha256),
        )
    )
    if _postgres(session):
        await session.exec(delete(MediaBlob).where(col(MediaBlob.sha256).in_(list(shas)), ~used))
        return
    still = select(Media.sha256, Media.thumb_sha256).where(
        or_(col(Media.sha256).in_(list(shas)), col(Media.thumb_sha256).in_(list(shas)))
    )
    kept = {sha for row in (await session.exec(still)).all() for sha in row if sha}
    paths = [media_dir(session) / sha for sha in shas if sha not in kept]

    live = [True]  # a rollback keeps the rows, so their files too

    def unlink(*_: object) -> None:
        for path in paths if live[0] else ():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def rolled_back(*_: object) -> None:
        live[0] = False

    event.listen(session.sync_session, "after_commit", unlink, once=True)
    event.listen(session.sync_session, "after_soft_rollback", rolled_back, once=True)


async def stored_ref(session: AsyncSession, *, platform: str, ref: str) -> tuple[str, str] | None:
    """(sha256, mime) of a platform's media ``ref`` already in the store, if it is."""
    query = select(Media.sha256, Media.mime).where(
        Media.platform == platform, Media.ref == ref, col(Media.sha256).is_not(None)
    )
    row = (await session.exec(query.limit(1))).first()
    return (row[0], row[1]) if row and row[0] and row[1] else None
