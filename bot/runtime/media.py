"""The media store as publish targets see it: the contracts (``MediaSource`` gives a
``MediaFile`` or raises ``MediaUnavailable``) and their implementation (``StoreSource``): a
media row's bytes, fetched from its platform once when first needed, then read from the store.

Fetchers get the row's ``ref`` and return bytes, or raise ``MediaUnavailable`` with a message
naming no URL: a Telegram download URL holds the bot token (DESIGN.md, "Platform facts")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import aiohttp
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.safe_fetch import Allowed, Blocked, open_checked, pinned_session
from storage import media_store
from storage.clock import now
from storage.media_store import LIMITS, Refused, Stored
from storage.models import Media


@dataclass(frozen=True)
class MediaFile:
    """The bytes of one photo or video, from the bot's own media store (never a Telegram
    download link: it holds the token; never a Zalo URL: it may have expired)."""

    data: bytes
    mime: str  # e.g. image/jpeg, video/mp4
    name: str  # a file name for multipart uploads, e.g. "<sha256>.jpg"
    kind: str  # photo | video
    width: int | None = None
    height: int | None = None


class MediaSource(Protocol):
    async def get(self, media: Media) -> MediaFile:
        """The stored bytes of ``media``, fetched from its platform once when first needed;
        raises ``MediaUnavailable`` when they cannot be had."""
        ...


class MediaUnavailable(Exception):
    """A photo or video whose bytes cannot be had (gone at the source, too big, not media)."""


Fetch = Callable[[str], Awaitable[bytes]]


class FetchMedia(Protocol):
    """How a URL that arrived in a message becomes bytes (a registry row's ``fetch_media``,
    given ``allowed`` and ``limit`` by ``bot.runtime.app.build``); raises
    ``MediaUnavailable``."""

    def __call__(self, url: str, *, allowed: Allowed, limit: int) -> Awaitable[bytes]: ...


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
