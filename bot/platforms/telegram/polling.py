"""Long polling for Telegram (https://core.telegram.org/bots/api#getupdates): fetch, read
each update apart, hand each sender's updates to the dispatcher in order, confirm by offset.
Nothing one call or one update throws ends it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import Update
from pydantic import ValidationError

from handlers.engine.core import StoreUnavailable

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query", "edited_message"]
POLL_SECONDS = 25  # a getUpdates long poll
PAUSE, MAX_PAUSE = 1.0, 10.0  # seconds after a failed getUpdates: doubled, capped, reset
CONCURRENCY = 10  # senders of one batch handled at once (each holds a database session)


class RawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates answered as JSON: each update is then read apart, so one that aiogram
    cannot read is skipped instead of failing the whole batch, again and again."""

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


# Held for the process's life: pydantic caches parametrised generics weakly (see send.py).
_ANSWER = Response[list[dict[str, Any]]]


def update_sender(update: Update) -> str:
    """Who sent an update, as the core names them ("" for kinds it does not handle): one
    sender's updates are handled in order."""
    for kind in ALLOWED_UPDATES:
        user = getattr(getattr(update, kind, None), "from_user", None)
        if user is not None:
            return str(user.id)
    return ""


class Poller:
    def __init__(self, bot: Bot, dispatcher: Dispatcher) -> None:
        self.bot, self.dispatcher = bot, dispatcher
        self.stopping = asyncio.Event()
        self.handling = False  # a batch is being handled: let it finish before stopping
        self.unreadable = 0  # updates skipped because aiogram could not read them

    async def run(self) -> None:
        """Long polling. A batch is confirmed (by the next getUpdates' offset) only once it is
        handled, so a crash re-delivers it and the claims skip what was done. Within a batch,
        each sender's updates are handled in order and different senders at once; their
        replies are queued per chat, so the next fetch never waits for a slow chat. While the
        database is away the same batch is fetched again. Whatever one call or one update
        throws, polling goes on: it logs one line, backs off (at most ``MAX_PAUSE``) and
        starts afresh after a success."""
        offset: int | None = None
        failures, pause = 0, PAUSE
        # What the first fetch returns was never confirmed: a previous run may have handled
        # some of it and died before its answers went out, so those are answered again.
        replay = True
        while not self.stopping.is_set():
            try:
                raws = await self.bot(
                    RawUpdates(
                        offset=offset, timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES
                    ),
                    request_timeout=POLL_SECONDS + 10,
                )
            except Exception as error:  # a proxy's HTML page, a reset, a bug: never fatal
                failures += 1
                wait = min(PAUSE * 2 ** (failures - 1), MAX_PAUSE)
                level = logging.WARNING if failures == 1 else logging.DEBUG  # once a streak
                log.log(level, "getUpdates failed (%s); nothing skipped, retrying in %.0fs",
                        self._describe(error), wait)  # fmt: skip
                await asyncio.sleep(wait)
                continue
            if failures > 1:
                log.info("getUpdates answers again after %s failures", failures)
            failures = 0
            updates, last = self.read(raws)
            if last is None:
                continue
            self.handling = True
            try:
                done = await self.handle_batch(updates, replay=replay)
            finally:
                self.handling = False
            if done:
                offset, pause, replay = last + 1, PAUSE, False
            else:
                log.warning("database unavailable; the batch is fetched again in %.0fs", pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    def read(self, raws: list[dict[str, Any]]) -> tuple[list[Update], int | None]:
        """The updates aiogram can read, and the last update_id (confirmed with them). One it
        cannot read is counted, logged in one line (its id and why, not its content: it may
        hold a member's text) and skipped, never fetched again."""
        updates: list[Update] = []
        last: int | None = None
        for raw in raws:
            update_id = raw.get("update_id")
            if isinstance(update_id, int) and not isinstance(update_id, bool):
                last = update_id if last is None else max(last, update_id)
            try:
                updates.append(Update.model_validate(raw, context={"bot": self.bot}))
            except ValidationError as error:
                self.unreadable += 1
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                log.warning("update %s skipped: unreadable (%s at %s)", update_id,
                            first["msg"], where)  # fmt: skip
        return updates, last

    def _describe(self, error: Exception) -> str:
        """One line, without the token or a page's body."""
        first = (str(error).splitlines() or [""])[0]
        return f"{type(error).__name__}: {first}".replace(self.bot.token, "<token>")

    async def handle_batch(self, updates: list[Update], *, replay: bool = False) -> bool:
        """False when the database was away for some of them. ``replay``: already handled
        ones among them get their answer again (the member's current question)."""
        by_sender: dict[str, list[Update]] = {}
        for update in updates:
            by_sender.setdefault(update_sender(update), []).append(update)
        slots = asyncio.Semaphore(CONCURRENCY)

        async def in_order(items: list[Update]) -> bool:
            # The sender's last message in this batch: the ones before it are superseded,
            # which is what a flood throttle may skip.
            messages = [index for index, item in enumerate(items) if item.message is not None]
            latest = messages[-1] if messages else -1
            async with slots:
                for index, update in enumerate(items):
                    try:
                        await self.dispatcher.feed_update(
                            self.bot, update, replay=replay, superseded=index < latest
                        )
                    except StoreUnavailable:
                        return False
                    except Exception:  # a bug: logged, and the batch goes on
                        log.exception("update %s failed", update.update_id)
            return True

        return all(await asyncio.gather(*(in_order(items) for items in by_sender.values())))
