"""What the fake Telegram and fake Zalo servers share: an aiohttp server on 127.0.0.1 on a free
port, the record of what the bot sent, waiting for a message or for quiet, and the wake-up of
long polls and webhook senders. Each fake keeps its own API, validation and faults."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from aiohttp import web

# How long a wait for something the bot will do may last before the test fails. Waits end as
# soon as what they wait for happens, so a passing test never waits this out; it is long
# because a loaded two-core CI machine can be many times slower than a quiet one.
PATIENCE = 60.0

SentT = TypeVar("SentT")
ChatT = TypeVar("ChatT")


class Unset(enum.Enum):
    """A webhook secret not given at all (as opposed to an empty one)."""

    SECRET = enum.auto()


class FakeServer(Generic[SentT, ChatT]):
    """The scaffolding: a subclass sets up ``self.sent`` and ``self._queue``, answers
    ``/bot{token}/{method}`` in ``_handle`` and says what a sent message shows in ``_shown``."""

    client_max_size = 1024**2  # aiohttp's default body limit
    queue_word = "queued"  # how idle()'s error names updates not yet taken by the bot

    def __init__(self) -> None:
        self.sent: list[SentT] = []
        self._queue: list[Any] = []
        self._pushed = asyncio.Event()
        self._changed = asyncio.Event()  # set when a request was answered (see _touched)
        self._inflight = 0  # requests being answered, a waiting long poll excepted
        self._webhook_task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False

    async def _handle(self, request: web.Request) -> web.Response:
        """Answer one Bot API call."""
        raise NotImplementedError

    def _shown(self, sent: SentT) -> str:
        """The text a person sees in a sent message, which wait_for searches."""
        raise NotImplementedError

    def _chat_of_sent(self, sent: SentT) -> ChatT:
        return getattr(sent, "chat_id")  # type: ignore[no-any-return]  # noqa: B009

    async def start(self) -> None:
        app = web.Application(client_max_size=self.client_max_size)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()

    async def stop(self) -> None:
        self._closing = True
        self._notify()  # ends waiting long polls
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        assert self._runner is not None, "call start() first"
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    # --- observing ------------------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.sent)

    async def wait_for(
        self,
        chat_id: ChatT,
        contains: str | None = None,
        *,
        after: int = 0,
        timeout: float = PATIENCE,  # noqa: ASYNC109 - part of the helper's API
    ) -> SentT:
        """The first message to the chat since mark() ``after`` that shows ``contains``."""
        deadline = time.monotonic() + timeout
        while True:
            changed = self._changed  # taken before looking: a change meanwhile wakes us at once
            for sent in self.sent[after:]:
                if self._chat_of_sent(sent) == chat_id and (
                    contains is None or contains in self._shown(sent)
                ):
                    return sent
            remaining = deadline - time.monotonic()
            if remaining < 0:
                recent = [self._shown(s) for s in self.sent if self._chat_of_sent(s) == chat_id]
                raise TimeoutError(
                    f"nothing to {chat_id} containing {contains!r}; last: {recent[-5:]}"
                )
            # Woken by the next answered request (a message sent or edited) rather than by
            # polling; the bound covers a test changing ``sent`` by itself.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, 0.1)):
                    await changed.wait()

    async def until(
        self,
        done: Callable[[], bool],
        timeout: float = PATIENCE,  # noqa: ASYNC109
    ) -> None:
        """Until ``done()`` holds, looked at again after each answered request."""
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                if done():
                    return
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.1):
                        await changed.wait()

    async def answered(self, timeout: float = PATIENCE) -> None:  # noqa: ASYNC109
        """Until every request made so far (a waiting long poll aside) has its answer, such as
        a call the fake holds past the client's timeout and then carries out."""
        await self.until(lambda: not self._inflight, timeout)

    async def idle(
        self,
        timeout: float = PATIENCE,  # noqa: ASYNC109
        *,
        settle: float = 0.05,
    ) -> None:
        """Wait until no update waits for the bot and no request (other than a waiting long
        poll) has been in flight for ``settle`` seconds, since handlers may pause between API
        calls."""
        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        while True:
            now = time.monotonic()
            if self._queue or self._inflight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= settle:
                return
            if now > deadline:
                raise TimeoutError(
                    f"not idle after {timeout}s: {len(self._queue)} {self.queue_word} "
                    f"update(s), {self._inflight} request(s) in flight"
                )
            await asyncio.sleep(0.01)

    # --- plumbing -------------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        body = {"ok": False, "error_code": 404, "description": "Not Found"}
        return web.json_response(body, status=404)

    def _touched(self) -> None:
        """A request was answered: wake whoever waits for a message in wait_for()."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _notify(self) -> None:
        """Wake long polls and the webhook sender; each waits on the event current at the time."""
        self._pushed.set()
        self._pushed = asyncio.Event()
