"""The outbox worker of one platform: claims due rows, sends each through the platform's
``Sender`` and records the outcome. What a row says and what follows its sending are decided by
the core (``compose``, ``after_sent``, ``after_problem``); this module knows no platform.

A post whose request may have reached the platform is never sent again by itself: it waits for
an editor (needs_check). A card or a notice is sent again: a duplicate beats silence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime import outbox_changes
from bot.runtime.doorbell import wait_any
from bot.runtime.sending import (
    Delivery,
    Held,
    Outcome,
    Permanent,
    RetryLater,
    Sender,
    Transient,
    Unknown,
    Unreachable,
)
from handlers.desk import outbound
from handlers.engine.context import Deps
from handlers.engine.types import Reply
from storage import outbox
from storage.clock import Clock
from storage.db import writing
from storage.models import Outbox, OutboxKind, OutboxStatus

if TYPE_CHECKING:
    from bot.runtime.app import App

log = logging.getLogger(__name__)
MIN_PAUSE, MAX_PAUSE = 0.01, 60.0  # run()'s pauses: between idle passes, after failures
# How often an idle worker looks for rows it was not rung for. On PostgreSQL other workers
# commit rows: half a second. SQLite serves one bot process (``storage.locks``), whose every
# row due rings the doorbell; only a command-line task beside it could commit a row unrung
# (none of today's queues one), and five seconds is soon enough for that. Each look is a
# transaction: twice a second it was most of the idle bot's CPU (bench/idle.py).
LOOK_SECONDS = {"postgresql": 0.5, "sqlite": 5.0}
SHARED_LOOK = LOOK_SECONDS["postgresql"]  # a store whose other workers may commit rows


Compose = Callable[[AsyncSession, Outbox, Deps], Awaitable[Reply | None]]
AfterProblem = Callable[[AsyncSession, Outbox, Deps], Awaitable[None]]


class AfterSent(Protocol):
    def __call__(
        self,
        session: AsyncSession,
        item: Outbox,
        *,
        message_ids: list[str],
        link: str | None,
        deps: Deps,
    ) -> Awaitable[None]: ...


class OutboxWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        deps: Deps,
        sender: Sender,
        *,
        compose: Compose,
        after_sent: AfterSent,
        after_problem: AfterProblem,
        lease: timedelta = timedelta(seconds=120),
        idle_sleep: float = SHARED_LOOK,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        clock: Clock | None = None,
        wake: asyncio.Event | None = None,
    ) -> None:
        """``wake``: set when this process commits a row due (``bot/runtime/doorbell.py``);
        without it, or for rows other processes commit, the next look finds them."""
        # The one clock (``Deps.clock``) unless told otherwise: rows' not_before, leases and
        # backoff are read against the time that stamped them.
        self.clock = clock or deps.clock
        self.sessions, self.deps, self.sender = sessions, deps, sender
        self.platform = sender.platform
        self.holder = f"outbox {self.platform}"  # named in a slow lock wait's log line
        self.compose, self.after_sent, self.after_problem = compose, after_sent, after_problem
        self.lease, self.idle_sleep = lease, idle_sleep
        self.max_attempts, self.backoff_base = max_attempts, backoff_base
        # When leases were last looked at: a cadence, not state (a restart looks at once).
        self._leases_seen: datetime | None = None
        self._next_due: datetime | None = None  # the last empty pass's ``outbox.next_due``
        self.wake = wake

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; an error (the database away, a bug) pauses, never ends it."""
        failures = 0
        while not stop.is_set():
            if self.wake is not None:
                self.wake.clear()  # a row committed from here on rings again
            try:
                delay = 0.0 if await self.drain_once() else self._idle_delay()
                failures = 0
            except Exception:
                failures += 1
                delay = min(self.idle_sleep * 2**failures, MAX_PAUSE)
                log.exception("outbox %s: pass failed, next in %.1fs", self.platform, delay)
            if delay > 0:
                await wait_any(delay, stop, self.wake)

    async def drain_once(self) -> int:
        """One pass over the rows due now; returns how many were handled."""
        now = self.clock()
        async with writing(self.sessions, self.holder), self.sessions.begin() as session:
            # A lease lasts minutes: looking for expired ones at every pass (twice a second
            # when idle, three statements) was a fifth of the bot's CPU in bench/flow.py's
            # burst; a quarter of a lease late is soon enough for a dead worker's rows.
            if self._leases_seen is None or now - self._leases_seen >= self.lease / 4:
                await self._expire_leases(session, now)
                self._leases_seen = now
            rows = await outbox.claim_due(
                session, platform=self.platform, now=now, lease=self.lease
            )
            ids = [row.id for row in rows if row.id is not None]
            # Nothing due: when the next queued row is (a 429's retry_after), in the same
            # transaction rather than a session of its own after it.
            self._next_due = None if ids else await outbox.next_due(session, platform=self.platform)
        for item_id in ids:
            await self._handle(item_id, claimed=now)
        return len(ids)

    async def _expire_leases(self, session: AsyncSession, now: datetime) -> None:
        """Rows a dead worker left in ``sending``; the editors hear of each post among them,
        which ``outbox.expire_leases`` alone does not name."""
        stale = select(Outbox.id).where(
            Outbox.platform == self.platform,
            Outbox.kind == "post",
            Outbox.status == OutboxStatus.SENDING,
            col(Outbox.lease_until) < now,
        )
        post_ids = (await session.exec(stale)).all()
        await outbox.expire_leases(session, platform=self.platform, now=now)
        for item_id in post_ids:
            item = await outbox.get(session, item_id=item_id or 0)
            if item is not None and item.status == OutboxStatus.NEEDS_CHECK:
                await self.after_problem(session, item, self.deps)

    async def _handle(self, item_id: int, *, claimed: datetime) -> None:
        try:
            composed = await self._compose(item_id, claimed)
        except Exception as error:  # a bug or the store: retried like a failed send
            log.exception("outbox %s: composing row %s failed", self.platform, item_id)
            await self._record(item_id, Transient(f"compose: {error!r}"))
            return
        if composed is None:
            return
        chat_id, kind, reply = composed
        if kind == OutboxKind.CHANGE:  # /gobai, /suabai: the target changes a post it sent
            await outbox_changes.carry_out(self, item_id)
            return
        outcome: Outcome = None
        if reply is not None:
            try:
                outcome = await self.sender.send(chat_id, reply, kind=kind)
            except (RetryLater, Transient, Unknown, Permanent, Held) as error:
                outcome = error
            except Exception as error:  # unforeseen, so it may have gone out
                log.exception("outbox %s: sending row %s failed", self.platform, item_id)
                outcome = Unknown(repr(error))
        await self._record(item_id, outcome)

    async def _compose(
        self, item_id: int, claimed: datetime
    ) -> tuple[str, str, Reply | None] | None:
        """(chat, kind, reply), or None when the row is no longer ours: its lease ran out while
        earlier rows were sent and another worker took it over. The lease is renewed once half
        of it has passed since the claim; before that nobody else may take the row (leases
        expire only at their end), so the row read is enough, one statement fewer a row."""
        async with writing(self.sessions, self.holder), self.sessions.begin() as session:
            now = self.clock()
            ours = True
            if now - claimed >= self.lease / 2:
                renewed = await session.exec(
                    update(Outbox)
                    .where(col(Outbox.id) == item_id, col(Outbox.status) == OutboxStatus.SENDING)
                    .values(lease_until=now + self.lease)
                )
                ours = getattr(renewed, "rowcount", 0) == 1
            item = await outbox.get(session, item_id=item_id)
            if not ours or item is None or item.status != OutboxStatus.SENDING:
                return None
            return item.chat_id, item.kind, await self.compose(session, item, self.deps)

    async def _record(self, item_id: int, outcome: Outcome) -> None:
        async with writing(self.sessions, self.holder), self.sessions.begin() as session:
            item = await outbox.get(session, item_id=item_id)
            if item is None:
                return
            if isinstance(outcome, Delivery):
                ids, link = outcome
                await self.after_sent(session, item, message_ids=ids, link=link, deps=self.deps)
            elif outcome is None:
                await outbox.mark_sent(session, item=item, message_ids=[], link=None)
            elif item.status != OutboxStatus.SENDING:
                # Taken over after our lease ran out: the other worker's outcome stands.
                log.warning("outbox %s: row %s no longer ours: %s", self.platform, item_id, outcome)
            else:
                await self._failed(session, item, outcome)

    async def _failed(self, session: AsyncSession, item: Outbox, error: Exception) -> None:
        detail = f"{type(error).__name__}: {error}"
        log.warning("%s row %s, attempt %s: %s", self.platform, item.id, item.attempts, detail)
        maybe_posted = isinstance(error, Unknown) and item.kind == "post"
        if isinstance(error, Held | Unreachable) and item.kind != "post":
            await outbox.hold(session, item=item, error=detail, reachable=isinstance(error, Held))
            await self.after_problem(session, item, self.deps)
            return
        if isinstance(error, RetryLater):
            item.attempts -= 1  # the platform's pacing, not a failure of ours
            delay = error.seconds
        elif maybe_posted or isinstance(error, Permanent) or item.attempts >= self.max_attempts:
            status = OutboxStatus.NEEDS_CHECK if maybe_posted else OutboxStatus.FAILED
            await outbox.give_up(session, item=item, status=status, error=detail)
            await self.after_problem(session, item, self.deps)
            return
        else:  # transient, or unknown for a card or a notice
            delay = self.backoff_base * 2 ** (item.attempts - 1)
        at = self.clock() + timedelta(seconds=delay)
        await outbox.retry_later(session, item=item, at=at, error=detail)

    async def in_flight(self) -> int:
        """Rows of this platform being sent right now (by this worker's loop or another)."""
        async with self.sessions() as session:
            query = select(func.count()).where(
                Outbox.platform == self.platform, Outbox.status == OutboxStatus.SENDING
            )
            return int((await session.exec(query)).one())

    def _idle_delay(self) -> float:
        """``idle_sleep``, or less when a queued row comes due sooner (a 429's retry_after)."""
        if self._next_due is None:
            return self.idle_sleep
        # A floor: a due row another worker holds locked must not make this loop spin.
        wait = (self._next_due - self.clock()).total_seconds()
        return min(self.idle_sleep, max(wait, MIN_PAUSE))


def worker_for(app: App, sender: Sender, compose: Compose = outbound.compose) -> OutboxWorker:
    """A platform's outbox worker: its sender, with the desk's rules for composing rows (or a
    platform's own ``compose``) and for what follows a send (``handlers/desk/outbound.py``)."""
    return OutboxWorker(
        app.sessions,
        app.core.deps,
        sender,
        compose=compose,
        after_sent=outbound.after_sent,
        after_problem=outbound.after_problem,
        lease=timedelta(seconds=app.settings.outbox_lease_seconds),
        idle_sleep=LOOK_SECONDS.get(app.engine.dialect.name, SHARED_LOOK),
        wake=app.bell.listener(),
    )
