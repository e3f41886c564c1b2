"""The public pages' share of the server: they must never starve the webhooks (same event loop,
same database pool).

- ``Gate``: at most ``AT_ONCE`` public pages are built at once in a process (each holds one
  pooled connection at a time, so the webhooks keep the rest of the pool); a request over it
  waits ``WAIT_SECONDS`` for a turn, then gets a polite 503.
- ``PageCache``: the pages and feeds just built, kept ``TTL`` and keyed by the archive's
  version (``storage.archive.version``, one cheap query; bumped in the database on publish,
  correction, take-down and erasure), so a cached page is never served after a change made
  by any worker. Per process and bounded (``SIZE`` entries, oldest out first)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

AT_ONCE = 2
WAIT_SECONDS = 2.0
TTL = timedelta(seconds=30)
SIZE = 256


class Gate:
    def __init__(self, at_once: int = AT_ONCE, wait: float = WAIT_SECONDS) -> None:
        self.turns, self.wait = asyncio.Semaphore(at_once), wait

    @asynccontextmanager
    async def entered(self) -> AsyncIterator[bool]:
        """True inside a turn; False when none came in time (answer 503)."""
        try:
            await asyncio.wait_for(self.turns.acquire(), self.wait)
        except TimeoutError:
            yield False
            return
        try:
            yield True
        finally:
            self.turns.release()


@dataclass(frozen=True)
class Page:
    version: int
    at: datetime
    status: int
    content_type: str
    body: str


class PageCache:
    def __init__(self, ttl: timedelta = TTL, size: int = SIZE) -> None:
        self.ttl, self.size = ttl, size
        self.pages: OrderedDict[str, Page] = OrderedDict()

    def get(self, key: str, version: int, now: datetime) -> Page | None:
        page = self.pages.get(key)
        if page is None or page.version != version or now - page.at > self.ttl:
            return None
        return page

    def put(self, key: str, page: Page) -> None:
        self.pages[key] = page
        self.pages.move_to_end(key)
        while len(self.pages) > self.size:
            self.pages.popitem(last=False)
