"""The media store as publish targets see it (``bot.platforms.media.MediaSource``): a media
row's bytes, fetched from its platform once when first needed, then read from the store.

Fetchers get the row's ``ref`` and return bytes, or raise ``MediaUnavailable`` with a message
naming no URL: a Telegram download URL holds the bot token (DESIGN.md, "Platform facts")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import aiohttp
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.media import MediaFile, MediaUnavailable
from bot.runtime.safe_fetch import Allowed, Blocked, open_checked, pinned_session
from storage import media_store
from storage.clock import now
from storage.media_store import LIMITS, Refused, Stored
from storage.models import Media

Fetch = Callable[[str], Awaitable[bytes]]
FETCH_SECONDS = 60.0  # one photo or clip, connection to last byte
CONNECT_SECONDS = 10.0


async def fetch_url(url: str, *, allowed: Allowed, limit: int = max(LIMITS.values())) -> bytes:
    """GET a URL that came in a message (a Zalo photo), checked hop by hop
    (``bot.runtime.safe_fetch``), at most ``limit`` bytes read while streaming; raises
    ``MediaUnavailable`` (too_big when over the limit, unreachable otherwise, a refused address
    included: the same answer as a dead link)."""
    timeout = aiohttp.ClientTimeout(total=FETCH_SECONDS, connect=CONNECT_SECONDS)
    http, resolver = pinned_session(timeout)
    try:
        async with http, await open_checked(http, resolver, url, allowed) as response:
            if response.status != 200:
                raise MediaUnavailable(f"unreachable: HTTP {response.status}")
            if (response.content_length or 0) > limit:
                raise MediaUnavailable("too_big")
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > limit:
                    raise MediaUnavailable("too_big")
            return bytes(data)
    except Blocked:
        failure = MediaUnavailable("unreachable: refused")
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        failure = MediaUnavailable(f"unreachable: {type(error).__name__}")
    raise failure  # outside the except: no chained exception quoting the URL


async def keep(session: AsyncSession, *, media: Media, data: bytes) -> Stored:
    """Store fetched bytes and note them on ``media``; ``Refused`` when they are no media."""
    stored = await media_store.put(session, data=data)
    if media.id is not None:
        await media_store.record(session, media_id=media.id, stored=stored, now=now(session))
    return stored


def media_file(stored: Stored, data: bytes) -> MediaFile:
    return MediaFile(data, stored.mime, stored.name, stored.kind, stored.width, stored.height)


class StoreSource:
    """``MediaSource`` over the store; ``fetchers`` by platform (``zalo``: a URL; ``telegram``:
    ``bot.platforms.telegram.download.fetcher``)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], fetchers: Mapping[str, Fetch]
    ) -> None:
        self.sessions, self.fetchers = sessions, fetchers

    async def get(self, media: Media) -> MediaFile:
        async with self.sessions() as session:
            row = await session.get(Media, media.id) if media.id is not None else None
            row = row or media
            if row.sha256 and row.mime:
                data = await media_store.read(session, sha256=row.sha256)
                if data is not None:
                    stored = Stored(row.sha256, row.mime, len(data), row.width, row.height)
                    return media_file(stored, data)
        fetch = self.fetchers.get(row.platform)
        if fetch is None:
            raise MediaUnavailable(f"no way to fetch {row.platform} media")
        data = await fetch(row.ref)
        try:
            async with self.sessions() as session, session.begin():
                stored = await keep(session, media=row, data=data)
        except Refused as refused:
            raise MediaUnavailable(refused.reason) from None
        return media_file(stored, data)
