"""Direct replies leave through one queue per chat, in order, each paced by the sender's
shared rate limiter (3 at once, then 1 a second into a private chat; 30 a second in all): a chat
that waits (its pace, a 429's ``retry_after``, a retried 5xx) holds up neither other members nor
the polling loop, which hands replies over and fetches on. (An update from the inbox, i.e. a
webhook, waits for its replies instead: its worker holds the member's turn, and the next
update may be taken by another worker, whose queues are its own.)

The queues live in this process only. The member's state is already stored when a reply is
queued, so a reply lost in a crash costs what a failed send always did: the member's next
message gets the question again."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.runtime.sending import Permanent, RetryLater, Transient, Unknown

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[object]]
ATTEMPTS = 4  # a send tried again after a 429 or a 5xx; then given up (logged)
BACKOFF = 0.5  # seconds before the first retry of a 5xx, doubled after each


class ChatQueues:
    def __init__(self, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._sleep = sleep
        self._queues: dict[str, deque[tuple[Job, asyncio.Future[None]]]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def post(self, chat_id: str, job: Job) -> asyncio.Future[None]:
        """Queue a send into the chat; it runs after the chat's earlier ones. The future is
        done once it went (or was given up, which is logged)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(chat_id, deque()).append((job, done))
        if chat_id not in self._tasks:
            self._tasks[chat_id] = asyncio.create_task(self._drain(chat_id))
        return done

    def waiting(self) -> int:
        return sum(len(queue) for queue in self._queues.values()) + len(self._tasks)

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109 - a bound on shutdown
        """Until every queued reply went (or ``timeout``), e.g. before the process stops."""
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    async def _drain(self, chat_id: str) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                job, done = queue.popleft()
                try:
                    await self._run(chat_id, job)
                finally:
                    if not done.done():
                        done.set_result(None)
        finally:  # no await between the last check and here: a new post starts a new task
            del self._queues[chat_id], self._tasks[chat_id]

    async def _run(self, chat_id: str, job: Job) -> None:
        for attempt in range(ATTEMPTS):
            try:
                await job()
                return
            except RetryLater as error:  # only this chat waits
                delay = error.seconds
            except Transient:
                delay = BACKOFF * 2**attempt
            except (Unknown, Permanent) as error:  # it may have shown, or never can
                log.warning("a reply to chat %s not sent: %s", chat_id, error)
                return
            except Exception:  # a bug: the next reply of the chat still goes
                log.exception("a reply to chat %s failed", chat_id)
                return
            if attempt + 1 < ATTEMPTS:
                await self._sleep(delay)
        log.warning("a reply to chat %s given up after %s tries", chat_id, ATTEMPTS)
