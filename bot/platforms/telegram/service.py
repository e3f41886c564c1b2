"""Telegram as a running service: the bot, polling or the webhook route, its outbox worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import Update
from aiohttp import web

from bot.platforms.telegram.adapter import make_router, set_menu
from bot.platforms.telegram.publisher import TelegramSender
from bot.runtime.app import App
from bot.runtime.inbox import InboxRunner, webhook_body
from bot.runtime.outbox import OutboxWorker
from bot.runtime.ratelimit import RateLimiter
from bot.settings import Settings
from handlers.desk import outbound
from handlers.engine.core import StoreUnavailable

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
REQUEST_TIMEOUT = 30  # seconds, every Bot API call
POLL_SECONDS = 25  # a getUpdates long poll
CONCURRENCY = 10  # senders of one batch handled at once (each holds a database session)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def make_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token is not None
    api = TelegramAPIServer.from_base(str(settings.telegram_api_base).rstrip("/"))
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        session=AiohttpSession(api=api, timeout=REQUEST_TIMEOUT),
        default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
    )


def sender_of(raw: dict[str, Any]) -> str:
    """Who sent an update, as the core names them ("" for kinds it does not handle): one
    sender's updates are handled in order."""
    for kind in ALLOWED_UPDATES:
        body = raw.get(kind)
        if isinstance(body, dict) and isinstance(body.get("from"), dict):
            return str(body["from"].get("id", ""))
    return ""


def update_sender(update: Update) -> str:
    """``sender_of`` read off the parsed update: polling has no JSON to look at, and dumping
    every update to get one cost more than handling some of them."""
    for kind in ALLOWED_UPDATES:
        user = getattr(getattr(update, kind, None), "from_user", None)
        if user is not None:
            return str(user.id)
    return ""


def webhook_path(settings: Settings) -> str:
    """The path of the public webhook URL is the path served: a proxy passes it through."""
    url = settings.telegram_webhook_url
    path = url.path if url is not None else None
    return path if path is not None and path not in ("", "/") else "/telegram"


class TelegramService:
    def __init__(self, app: App) -> None:
        self.app = app
        self.bot = make_bot(app.settings)
        self.dispatcher = Dispatcher()
        self.dispatcher.include_router(
            make_router(app.core, editor_chat=app.settings.editor_chat_id)
        )
        self.inbox = InboxRunner(app.sessions, app.locks, "telegram", self.feed)
        self.stopping = asyncio.Event()
        self.polling: asyncio.Task[None] | None = None
        self.handling = False

    def worker(self) -> OutboxWorker:
        return OutboxWorker(
            self.app.sessions,
            self.app.core.deps,
            TelegramSender(self.bot, RateLimiter()),
            compose=outbound.compose,
            after_sent=outbound.after_sent,
            after_problem=outbound.after_problem,
            lease=timedelta(seconds=self.app.settings.outbox_lease_seconds),
        )

    async def start(self, web_app: web.Application | None) -> asyncio.Task[None] | None:
        """Register the webhook route on the shared server, or start polling (the task)."""
        settings = self.app.settings
        await set_menu(self.bot)
        if settings.telegram_webhook_url is None:
            # Never drop what members sent while the bot was down.
            await self.bot.delete_webhook(drop_pending_updates=False)
            self.polling = asyncio.create_task(self.poll())
            return self.polling
        assert web_app is not None
        await self.inbox.sweep(everything=True)  # what a crash left stored but unhandled
        web_app.router.add_post(webhook_path(settings), self.webhook)
        return None

    async def poll(self) -> None:
        """Long polling. A batch is confirmed (by the next getUpdates' offset) only once it is
        handled, so a crash re-delivers it and the claims skip what was done. Within a batch,
        each sender's updates are handled in order and different senders at once; while the
        database is away the same batch is fetched again."""
        offset: int | None = None
        pause = 1.0
        # What the first fetch returns was never confirmed: a previous run may have handled
        # some of it and died before its answers went out, so those are answered again.
        replay = True
        while not self.stopping.is_set():
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=POLL_SECONDS,
                    allowed_updates=ALLOWED_UPDATES,
                    request_timeout=POLL_SECONDS + 10,
                )
            except (TelegramAPIError, TelegramNetworkError) as error:
                log.warning("getUpdates failed: %s; retrying in %.0fs", error, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)
                continue
            if not updates:
                continue
            self.handling = True
            try:
                done = await self.handle_batch(updates, replay=replay)
            finally:
                self.handling = False
            if done:
                offset, pause, replay = updates[-1].update_id + 1, 1.0, False
            else:
                log.warning("database unavailable; the batch is fetched again in %.0fs", pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    async def handle_batch(self, updates: list[Update], *, replay: bool = False) -> bool:
        """False when the database was away for some of them. ``replay``: already handled
        ones among them get their answer again (the member's current question)."""
        by_sender: dict[str, list[Update]] = {}
        for update in updates:
            by_sender.setdefault(update_sender(update), []).append(update)
        slots = asyncio.Semaphore(CONCURRENCY)

        async def in_order(items: list[Update]) -> bool:
            async with slots:
                for update in items:
                    try:
                        await self.dispatcher.feed_update(self.bot, update, replay=replay)
                    except StoreUnavailable:
                        return False
                    except Exception:  # a bug: logged, and the batch goes on
                        log.exception("update %s failed", update.update_id)
            return True

        return all(await asyncio.gather(*(in_order(items) for items in by_sender.values())))

    async def webhook(self, request: web.Request) -> web.Response:
        """Check the secret (in constant time), store the update, answer 200, handle it after:
        a worker that dies after answering loses nothing."""
        raw = await webhook_body(request, SECRET_HEADER, self.app.settings.telegram_webhook_secret)
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return web.Response(status=400)
        sender = f"telegram:{sender_of(raw)}"
        await self.inbox.store(
            f"telegram:{raw['update_id']}", raw, sender=sender, seq=raw["update_id"]
        )
        self.inbox.handle_later(sender)
        return web.Response(status=200)

    async def feed(self, raw: dict[str, Any]) -> None:
        update = Update.model_validate(raw, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update)

    async def after_listening(self) -> None:
        settings = self.app.settings
        if settings.telegram_webhook_url is not None and settings.telegram_webhook_secret:
            await self.bot.set_webhook(
                str(settings.telegram_webhook_url),
                secret_token=settings.telegram_webhook_secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
                max_connections=settings.telegram_max_connections,
            )

    async def stop_listening(self) -> None:
        self.stopping.set()
        if self.polling is not None:
            if not self.handling:  # waiting on getUpdates: nothing of ours in flight
                self.polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.polling
        await self.inbox.wait()

    async def close(self) -> None:
        await self.bot.session.close()
