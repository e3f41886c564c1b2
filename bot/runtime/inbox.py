"""Updates that arrive by webhook (or by a Zalo poll, which consumes them) are stored before
they are acknowledged, then handled from the database.

Each sender's stored updates are handled in the platform's order (Telegram's update_id) by
one worker at a time, whichever worker received them: the one holding the sender's lock
handles every row it finds, and re-checks after letting go, so a row stored meanwhile by a
worker that found the lock taken is never stranded. A row whose handling could not reach the
database stays, and blocks the rows after it (the order holds), until a sweep retries it.
Handling twice is harmless: the core claims each update's key once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.core import StoreUnavailable
from storage import clock, inbox
from storage.db import writing
from storage.locks import SenderLocks

log = logging.getLogger(__name__)
Handle = Callable[[dict[str, Any]], Awaitable[None]]
SWEEP_SECONDS = 5.0  # how often stored rows nobody is handling are looked for
STALE_AFTER = timedelta(seconds=3)  # a row this old and unhandled has no worker on it
# Senders handled at once by one worker. Each holds up to two pooled connections (its lock,
# its transaction): more would wait on the pool while holding locks.
CONCURRENCY = 6


class InboxRunner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        locks: SenderLocks,
        platform: str,
        handle: Handle,
    ) -> None:
        self.sessions, self.locks, self.platform, self._handle = sessions, locks, platform, handle
        self.running: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(CONCURRENCY)

    async def store(self, key: str, raw: dict[str, Any], *, sender: str, seq: int) -> None:
        async with writing(self.sessions, "inbox"), self.sessions() as session, session.begin():
            await inbox.store(
                session, key=key, platform=self.platform, payload=raw, sender=sender, seq=seq
            )

    def handle_later(self, sender: str) -> None:
        """After the 200: the sender must not wait for (or retry because of) our work."""
        task = asyncio.create_task(self.handle_sender(sender))
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    async def handle_sender(self, sender: str) -> None:
        """Handle the sender's stored updates in order, unless another worker is at it. One
        update per turn: a member who answers fast does not keep a slot from the others."""
        try:
            while True:
                async with self._slots, self.locks.hold(sender) as mine:
                    if not mine:
                        return  # its holder re-checks after letting go, and finds ours
                    if not await self._handle_next(sender):
                        return  # the database is away: the sweep comes back for it
                async with self.sessions() as session:
                    if not await inbox.next_of(session, sender=sender, limit=1):
                        return
        except Exception:  # e.g. the database away while taking the lock
            log.exception("stored updates of %s left for the sweep", sender)

    async def _handle_next(self, sender: str) -> bool:
        """The sender's oldest stored update, if any; False when the database was away."""
        async with self.sessions() as session:
            rows = await inbox.next_of(session, sender=sender, limit=1)
        if not rows:
            return True
        row = rows[0]
        try:
            await self._handle(dict(row.payload))
        except StoreUnavailable:
            log.warning("database unavailable; update %s kept for later", row.key)
            return False
        except Exception:  # a bug: logged, and not tried forever
            log.exception("stored update %s failed", row.key)
        async with writing(self.sessions, "inbox"), self.sessions.begin() as session:
            await inbox.handled(session, key=row.key)
        return True

    async def sweep(self, *, everything: bool = False) -> None:
        """Handle rows nobody is handling: left by a worker that died after its 200, or kept
        back while the database was away (``everything`` at start)."""
        async with self.sessions() as session:
            before = clock.now(session) - (timedelta(0) if everything else STALE_AFTER)
            senders = await inbox.waiting_senders(session, platform=self.platform, before=before)
        for sender in senders:
            await self.handle_sender(sender)

    async def sweep_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SWEEP_SECONDS)
            if stop.is_set():
                return
            try:
                await self.sweep()
            except Exception:  # the database away: next time
                log.warning("inbox sweep failed; next in %.0fs", SWEEP_SECONDS, exc_info=True)

    async def wait(self) -> None:
        if self.running:
            await asyncio.gather(*self.running, return_exceptions=True)
