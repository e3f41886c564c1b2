"""Pacing sends to Telegram's flood limits: 30 messages a second in all, one a second into a
private chat, 20 a minute into a group or channel (sliding windows;
https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). One limiter
paces a platform's direct replies and its outbox alike.

The counts live in this process only: several workers each keep their own, and Telegram's 429
with ``retry_after`` (handled by the outbox worker) covers what they do together.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from storage.clock import monotonic

# A virtual clock advanced by float sleeps may land a hair before a window's end: count that as
# the end, or the wait would never finish.
_EPS = 1e-6
MARGIN = 1.0  # seconds
_MAX_CHATS = 1000  # beyond this, windows of chats idle for a full period are dropped


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


class RateLimiter:
    def __init__(
        self,
        *,
        clock: Callable[[], float] = monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        chat_pace: float = 1.0,
        off: bool = False,
    ) -> None:
        """``chat_pace``: seconds between two messages into one private chat."""
        self._clock, self._sleep, self._pace = clock, sleep, chat_pace
        self._off = off
        self._all = _Window(30, 1.0)
        self._chats: dict[str, _Window] = {}

    async def acquire(self, chat_id: str, count: int = 1) -> None:
        """Wait until ``count`` messages (an album of N counts N) may go into the chat."""
        if self._off:
            return
        chat = self._chats.setdefault(chat_id, self._window(chat_id))
        while True:
            # Put back if pruned meanwhile, so the next sender into the chat sees its window.
            chat = self._chats.setdefault(chat_id, chat)
            now = self._clock()
            wait = max(self._all.wait(now, count), chat.wait(now, count))
            if wait <= 0:
                break
            await self._sleep(wait)
        self._all.take(now, count)
        chat.take(now, count)
        if len(self._chats) > _MAX_CHATS:
            self._chats = {key: w for key, w in self._chats.items() if w.recent(now)}

    def sent(self, chat_id: str, count: int = 1) -> None:
        """The platform answered: the messages arrived by now. Telegram counts a message when
        it arrives, so the chat's next one is paced from here, never from an earlier start
        that a slow request would make look longer ago than it was."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return
        for _ in range(min(count, len(chat.stamps))):
            chat.stamps.pop()
        chat.take(self._clock(), count)

    def _window(self, chat_id: str) -> _Window:
        # Positive ids are private chats; groups and channels have negative ids or an "@name".
        # Telegram counts a message when it arrives, a little after we count it: a second of
        # margin on the minute keeps the 21st from arriving a hair early (a 429 and its wait).
        return _Window(1, self._pace) if chat_id.isdigit() else _Window(20, 60.0 + MARGIN)
