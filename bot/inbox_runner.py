"""Updates that arrive by webhook (or by a Zalo poll, which consumes them) are stored before
they are acknowledged, then handled; what a crash left unhandled is handled at the next start.
Handling twice is harmless: the core claims each update's key once."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import inbox

log = logging.getLogger(__name__)
Handle = Callable[[dict[str, Any]], Awaitable[None]]


class InboxRunner:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], platform: str, handle: Handle
    ) -> None:
        self.sessions, self.platform, self._handle = sessions, platform, handle
        self.running: set[asyncio.Task[None]] = set()

    async def store(self, key: str, raw: dict[str, Any]) -> None:
        async with self.sessions() as session, session.begin():
            await inbox.store(session, key=key, platform=self.platform, payload=raw)

    def handle_later(self, key: str, raw: dict[str, Any]) -> None:
        """After the 200: the sender must not wait for (or retry because of) our work."""
        task = asyncio.create_task(self.handle(key, raw))
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    async def handle(self, key: str, raw: dict[str, Any]) -> None:
        try:
            await self._handle(raw)
        except Exception:  # left unhandled in the inbox: tried again at the next start
            log.exception("stored update %s failed", key)
            return
        async with self.sessions() as session, session.begin():
            await inbox.handled(session, key=key)

    async def drain(self) -> None:
        async with self.sessions() as session:
            rows = await inbox.unhandled(session, platform=self.platform)
        for row in rows:
            await self.handle(row.key, dict(row.payload))

    async def wait(self) -> None:
        if self.running:
            await asyncio.gather(*self.running, return_exceptions=True)


async def webhook_body(request: web.Request, header: str, secret: SecretStr | None) -> Any:
    """The JSON of a webhook call whose secret header matches (compared in constant time);
    raises the 401 or 400 to answer otherwise."""
    given = request.headers.get(header, "")
    if secret is None or not hmac.compare_digest(
        given.encode(), secret.get_secret_value().encode()
    ):
        raise web.HTTPUnauthorized
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise web.HTTPBadRequest from error
