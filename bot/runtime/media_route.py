"""``GET /media/<sha256>.<ext>``: stored media served from the bot's web server, for the
archive's pages and platforms that fetch a photo by URL (Zalo's sendPhoto). The name is the
content's sha256, unguessable without the bytes; only names of that exact shape are served, and
only while an item shows them (``storage.media_access``): a take-down or an erasure answers 410
or 404 at once, and caches keep a photo a day at most.

Bytes are streamed, never loaded whole (``bot.runtime.media_stream``); ``If-None-Match`` on the
sha256 answers 304; a client address has at most ``STREAMS_PER_ADDRESS`` streams at a time."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import hdrs, web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.media_stream import HashedFile, send_rows
from storage import media_access, media_store
from storage.media_store import EXTENSIONS

NAME = re.compile(r"([0-9a-f]{64})\.([a-z0-9]{2,5})")
STREAMS_PER_ADDRESS = 4
RETRY_AFTER = "5"  # seconds: a stream of a photo is usually over by then


class Streams:
    """The media streams open per client address in this process. Open connections belong
    to a process, so this count does too (it is no state a restart must keep)."""

    def __init__(self, limit: int = STREAMS_PER_ADDRESS) -> None:
        self.limit, self.open = limit, Counter[str]()

    @contextmanager
    def slot(self, address: str) -> Iterator[bool]:
        """Yields whether a stream may start; its slot is held until the block ends."""
        if self.open[address] >= self.limit:
            yield False
            return
        self.open[address] += 1
        try:
            yield True
        finally:
            self.open[address] -= 1
            if not self.open[address]:
                del self.open[address]


SESSIONS: web.AppKey[async_sessionmaker[AsyncSession]] = web.AppKey("media_sessions")
STREAMS: web.AppKey[Streams] = web.AppKey("media_streams", Streams)


def add_media_routes(app: web.Application, sessions: async_sessionmaker[AsyncSession]) -> None:
    app[SESSIONS] = sessions
    app[STREAMS] = Streams()
    app.router.add_get("/media/{name}", serve_media)


def client_address(request: web.Request) -> str:
    """Who is asking: the peer, or behind a reverse proxy on this machine (README: the bot
    sits behind one) the address that proxy appended to ``X-Forwarded-For``; a peer from
    outside cannot claim another address that way."""
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        local = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        local = False
    if local and forwarded.strip():
        return forwarded.rsplit(",", 1)[-1].strip()
    return peer


def public_url(base: str, sha256: str, mime: str) -> str:
    return f"{base.rstrip('/')}/media/{sha256}.{EXTENSIONS[mime]}"


async def serve_media(request: web.Request) -> web.StreamResponse:
    match = NAME.fullmatch(request.match_info["name"])
    if match is None:
        raise web.HTTPNotFound()
    sha256, ext = match.groups()
    sessions = request.app[SESSIONS]
    async with sessions() as session:
        found = await media_access.access(session, sha256=sha256)
        path = media_store.file_of(session, sha256=sha256)
    if found is None or EXTENSIONS.get(found.mime) != ext:
        raise web.HTTPNotFound()
    if not found.shown:
        raise web.HTTPGone()
    headers = {
        # A day at most: a take-down must reach the caches too. A photo only a pending send
        # needs is for that platform's fetch, not for shared caches.
        hdrs.CACHE_CONTROL: "public, max-age=86400" if found.public else "private, no-store",
        hdrs.ETAG: f'"{sha256}"',
        hdrs.CONTENT_TYPE: found.mime,
        "X-Content-Type-Options": "nosniff",
    }
    if f'"{sha256}"' in request.headers.get(hdrs.IF_NONE_MATCH, "") or (
        request.headers.get(hdrs.IF_NONE_MATCH, "").strip() == "*"
    ):
        del headers[hdrs.CONTENT_TYPE]
        return web.Response(status=304, headers=headers)
    with request.app[STREAMS].slot(client_address(request)) as allowed:
        if not allowed:
            return web.Response(status=429, headers={hdrs.RETRY_AFTER: RETRY_AFTER})
        if path is None:
            return await send_rows(request, sessions, sha256=sha256, headers=headers)
        response = HashedFile(path, sha256=sha256, headers=headers)
        await response.prepare(request)  # sent while the slot is held
        return response
