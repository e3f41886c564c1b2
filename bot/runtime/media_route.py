"""``GET /media/<sha256>.<ext>``: stored media served from the bot's web server, for the
archive's pages and platforms that fetch a photo by URL (Zalo's sendPhoto). The name is the
content's sha256, unguessable without the bytes; only names of that exact shape are served, and
only while an item shows them (``storage.media_access``): a take-down or an erasure answers 410
or 404 at once, and caches keep a photo a day at most."""

from __future__ import annotations

import re

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import media_access, media_store
from storage.media_store import EXTENSIONS

NAME = re.compile(r"([0-9a-f]{64})\.([a-z0-9]{2,5})")
SESSIONS: web.AppKey[async_sessionmaker[AsyncSession]] = web.AppKey("media_sessions")


def add_media_routes(app: web.Application, sessions: async_sessionmaker[AsyncSession]) -> None:
    app[SESSIONS] = sessions
    app.router.add_get("/media/{name}", serve_media)


def public_url(base: str, sha256: str, mime: str) -> str:
    return f"{base.rstrip('/')}/media/{sha256}.{EXTENSIONS[mime]}"


async def serve_media(request: web.Request) -> web.Response:
    match = NAME.fullmatch(request.match_info["name"])
    if match is None:
        raise web.HTTPNotFound()
    sha256, ext = match.groups()
    async with request.app[SESSIONS]() as session:
        found = await media_access.access(session, sha256=sha256)
        if found is None or EXTENSIONS.get(found.mime) != ext:
            raise web.HTTPNotFound()
        if not found.shown:
            raise web.HTTPGone()
        data = await media_store.read(session, sha256=sha256)
    if data is None:
        raise web.HTTPNotFound()
    headers = {
        # A day at most: a take-down must reach the caches too. A photo only a pending send
        # needs is for that platform's fetch, not for shared caches.
        "Cache-Control": "public, max-age=86400" if found.public else "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return web.Response(body=data, content_type=found.mime, headers=headers)
