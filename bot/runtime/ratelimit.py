"""Pacing sends to Telegram's flood limits: 30 messages a second in all, about one a second
into a private chat (a short burst tolerated), 20 a minute into a group or channel
(https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). One limiter
paces a platform's direct replies and its outbox alike.

A private chat gets a burst of ``BURST`` messages, then one every ``chat_pace`` seconds (a
token bucket): a member's answer that follows a prompt is not held back a second. The global
budget is served in arrival order (tickets), direct replies before outbox sends: when it is
the limit, members are answered in the order they wrote and nobody starves behind others or
behind a queue of cards and posts. The flood rule (``handlers/engine/flood.py``) stays for
members who flood.

The counts live in this process only: several workers each keep their own, and Telegram's 429
with ``retry_after`` (handled by the outbox worker and the reply queues) covers what they do
together.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Awaitable, Callable

from storage.clock import monotonic

# A virtual clock advanced by float sleeps may land a hair before a window's end: count that as
# the end, or the wait would never finish.
_EPS = 1e-6
MARGIN = 1.0  # seconds
BURST = 3  # messages a private chat may get at once before its pace applies
_MAX_CHATS = 1000  # beyond this, chats idle for a full period are dropped


class _Window:
    """At most ``limit`` messages in any ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.stamps: deque[float] = deque()

    def recent(self, now: float) -> int:
        while self.stamps and self.stamps[0] <= now - self.period + _EPS:
            self.stamps.popleft()
        return len(self.stamps)

    def wait(self, now: float, count: int) -> float:
        """Seconds until ``count`` more may go; an album larger than the limit needs it empty."""
        excess = self.recent(now) + min(count, self.limit) - self.limit
        return 0.0 if excess <= 0 else self.stamps[excess - 1] + self.period - now

    def take(self, now: float, count: int) -> None:
        self.stamps.extend([now] * count)

    def arrived(self, now: float, count: int) -> None:
        for _ in range(min(count, len(self.stamps))):
            self.stamps.pop()
        self.take(now, count)


class _Bucket:
    """``size`` messages at once, then one each ``pace`` seconds (a token bucket)."""

    def __init__(self, size: int, pace: float) -> None:
        self.size, self.pace = size, pace
        self.level, self.at = float(size), 0.0

    def _fill(self, now: float) -> float:
        if self.pace <= 0:
            return float(self.size)
        return min(float(self.size), self.level + max(now - self.at, 0.0) / self.pace)

    def recent(self, now: float) -> int:
        return 0 if self._fill(now) >= self.size else 1

    def wait(self, now: float, count: int) -> float:
        """An album larger than the burst needs the bucket full."""
        missing = min(count, self.size) - self._fill(now)
        return 0.0 if missing <= _EPS else missing * self.pace

    def take(self, now: float, count: int) -> None:
        self.level, self.at = self._fill(now) - count, now

    def arrived(self, now: float, count: int) -> None:
        # Telegram counts a message when it arrives: the time it spent on the way refills
        # nothing, so the chat's next one is paced from here.
        self.at = max(self.at, now)


class RateLimiter:
    def __init__(
        self,
        *,
        clock: Callable[[], float] = monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        chat_pace: float = 1.0,
        off: bool = False,
    ) -> None:
        """``chat_pace``: seconds between two messages into one private chat after its burst.
        ``off``: no limit at all (``BENCH_NO_LIMITS``, refused unless the API is local)."""
        self._clock, self._sleep, self._pace, self._off = clock, sleep, chat_pace, off
        self._all = _Window(30, 1.0)
        self._chats: dict[str, _Window | _Bucket] = {}
        # One sender into a chat takes its turn at a time, so the chat's budget it waited for
        # is still there when the global budget lets it go.
        self._turns: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._urgent: deque[_Ticket] = deque()  # direct replies
        self._queued: deque[_Ticket] = deque()  # the outbox

    async def acquire(self, chat_id: str, count: int = 1, *, urgent: bool = False) -> None:
        """Wait until ``count`` messages (an album of N counts N) may go into the chat.
        ``urgent``: a direct reply, served before the outbox's sends."""
        if self._off:
            return
        turn = self._turns.setdefault(chat_id, asyncio.Lock())
        async with turn:
            while True:
                # Put back if pruned meanwhile, so the next sender into the chat sees it.
                chat = self._chats.setdefault(chat_id, self._limit(chat_id))
                wait = chat.wait(self._clock(), count)
                if wait <= 0:
                    break
                await self._sleep(wait)
            now = await self._global(count, urgent)
            chat = self._chats.setdefault(chat_id, chat)
            chat.take(now, count)
        if len(self._chats) > _MAX_CHATS:
            self._chats = {key: w for key, w in self._chats.items() if w.recent(now)}

    def sent(self, chat_id: str, count: int = 1) -> None:
        """The platform answered: the messages arrived by now. Telegram counts a message when
        it arrives, so the chat's next one is paced from here, never from an earlier start
        that a slow request would make look longer ago than it was."""
        chat = self._chats.get(chat_id)
        if chat is not None:
            chat.arrived(self._clock(), count)

    async def _global(self, count: int, urgent: bool) -> float:
        """Take the global budget in turn: the first ticket waits for the window, the others
        for it to leave. Returns the time it was taken."""
        ticket = _Ticket()
        line = self._urgent if urgent else self._queued
        line.append(ticket)
        try:
            while True:
                if self._head() is ticket:
                    now = self._clock()
                    wait = self._all.wait(now, count)
                    if wait <= 0:
                        self._all.take(now, count)
                        return now
                    await self._sleep(wait)
                else:
                    ticket.wake = asyncio.get_running_loop().create_future()
                    await ticket.wake
        finally:
            line.remove(ticket)
            head = self._head()
            if head is not None and head.wake is not None and not head.wake.done():
                head.wake.set_result(None)

    def _head(self) -> _Ticket | None:
        line = self._urgent or self._queued
        return line[0] if line else None

    def _limit(self, chat_id: str) -> _Window | _Bucket:
        # Positive ids are private chats; groups and channels have negative ids or an "@name".
        # Telegram counts a message when it arrives, a little after we count it: a second of
        # margin on the minute keeps the 21st from arriving a hair early (a 429 and its wait).
        return _Bucket(BURST, self._pace) if chat_id.isdigit() else _Window(20, 60.0 + MARGIN)


class _Ticket:
    __slots__ = ("wake",)

    def __init__(self) -> None:
        self.wake: asyncio.Future[None] | None = None
