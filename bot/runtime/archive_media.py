"""Every photo of an approved item into the media store, whatever its platform, so the
public archive (``/tin/N``, og:image, the feed) shows it; and a small copy of each for the
listing, made once with Pillow in a thread and kept in the store beside the original
(``Media.thumb_sha256``). Runs beside the outbox, on every worker (the store is
content-addressed: two workers fetching one photo keep it once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from io import BytesIO

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.media import Fetch, MediaUnavailable, StoreSource
from storage import media_archive, media_store
from storage.media_store import Refused

log = logging.getLogger(__name__)
BOX = (480, 480)  # the listing shows photos a few hundred pixels wide at most
# A few MB of PNG can announce a billion pixels: past this, no thumbnail (the listing then
# shows the photo itself) rather than gigabytes decoded.
MAX_PIXELS = 50_000_000
EVERY = 5.0  # seconds between two looks for photos to bring in


def thumbnail(data: bytes, box: tuple[int, int] = BOX) -> bytes | None:
    """A JPEG within ``box``; None when the photo fits already (it is its own thumbnail)."""
    from PIL import Image, ImageOps

    with Image.open(BytesIO(data)) as image:
        if image.width <= box[0] and image.height <= box[1]:
            return None
        if image.width * image.height > MAX_PIXELS:
            raise ValueError("too many pixels")
        image.draft("RGB", box)  # a JPEG is decoded at the scale nearest the box
        small = ImageOps.exif_transpose(image).convert("RGB")
        small.thumbnail(box)
        out = BytesIO()
        small.save(out, "JPEG", quality=80, optimize=True)
        return out.getvalue()


async def archive_once(
    sessions: async_sessionmaker[AsyncSession], fetchers: Mapping[str, Fetch]
) -> int:
    """Bring in what waits; how many photos were done."""
    async with sessions() as session:
        rows = await media_archive.unarchived(session, platforms=list(fetchers))
    source, done = StoreSource(sessions, fetchers), 0
    for row in rows:
        assert row.id is not None
        try:
            got = await source.get(row)  # from the store, or fetched into it now
            small = await asyncio.to_thread(thumbnail, got.data)
            own = got.name.partition(".")[0]  # the store names bytes "<sha256>.<ext>"
            async with sessions() as session, session.begin():
                sha = (await media_store.put(session, data=small)).sha256 if small else own
                await media_archive.note_thumb(session, media_id=row.id, sha256=sha)
            done += 1
        except (MediaUnavailable, Refused, OSError, ValueError) as error:
            log.info("a photo could not be archived: %s", type(error).__name__)
            async with sessions() as session, session.begin():
                await media_archive.note_failure(session, media_id=row.id)
    return done


async def run_archive_media(
    sessions: async_sessionmaker[AsyncSession],
    fetchers: Mapping[str, Fetch],
    stop: asyncio.Event,
    *,
    every: float = EVERY,
) -> None:
    while not stop.is_set():
        try:
            await archive_once(sessions, fetchers)
        except Exception:
            log.exception("archiving photos failed")  # the next round tries again
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
