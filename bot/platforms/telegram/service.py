"""Telegram as a running service: the bot, polling or the webhook route, its outbox worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update
from aiohttp import web

from bot.platforms.telegram.adapter import make_router, set_menu
from bot.platforms.telegram.download import fetcher
from bot.platforms.telegram.polling import ALLOWED_UPDATES, Poller
from bot.platforms.telegram.polling import update_sender as update_sender
from bot.platforms.telegram.receiver import TelegramReceiver
from bot.platforms.telegram.replies import ChatQueues
from bot.platforms.telegram.send import TelegramSender
from bot.platforms.telegram.session import Session
from bot.runtime.app import App
from bot.runtime.inbox import InboxRunner
from bot.runtime.outbox import OutboxWorker, worker_for
from bot.runtime.ratelimit import RateLimiter
from bot.settings import Settings
from bot.web.hooks import Routes

log = logging.getLogger(__name__)
REQUEST_TIMEOUT = 30  # seconds, every Bot API call
DRAIN_SECONDS = 10  # at shutdown, for queued replies to go out


def make_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token is not None
    api = TelegramAPIServer.from_base(str(settings.telegram_api_base).rstrip("/"))
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        session=Session(api=api, timeout=REQUEST_TIMEOUT),
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


def webhook_path(settings: Settings) -> str:
    """The path of the public webhook URL is the path served: a proxy passes it through."""
    url = settings.telegram_webhook_url
    path = url.path if url is not None else None
    return path if path is not None and path not in ("", "/") else "/telegram"


class TelegramService:
    def __init__(self, app: App) -> None:
        self.app = app
        self.bot = make_bot(app.settings)
        app.fetchers["telegram"] = fetcher(self.bot)  # Telegram media into the store, on demand
        # One sender and one limiter for direct replies and the outbox alike.
        no_limits = app.settings.bench_no_limits
        if no_limits:
            log.warning("BENCH_NO_LIMITS: every Telegram send limiter is off (a benchmark only)")
        limiter = RateLimiter(chat_pace=app.settings.telegram_chat_pace, off=no_limits)
        self.sender = TelegramSender(self.bot, limiter, request_timeout=REQUEST_TIMEOUT)
        self.queues = ChatQueues()
        self.dispatcher = Dispatcher()
        router = make_router(
            app.core, self.sender, self.queues, editor_chat=app.settings.editor_chat_id
        )
        self.dispatcher.include_router(router)
        self.poller = Poller(self.bot, self.dispatcher)
        self.inbox = InboxRunner(app.sessions, app.locks, "telegram", self.feed)
        self.polling: asyncio.Task[None] | None = None

    def worker(self) -> OutboxWorker:
        return worker_for(self.app, self.sender)

    async def start(self, routes: Routes) -> asyncio.Task[None] | None:
        """Register the webhook route on the shared server, or start polling (the task)."""
        settings = self.app.settings
        await set_menu(self.bot)
        if settings.telegram_webhook_url is None:
            # Never drop what members sent while the bot was down.
            await self.bot.delete_webhook(drop_pending_updates=False)
            self.polling = asyncio.create_task(self.poller.run())
            return self.polling
        await self.inbox.sweep(everything=True)  # what a crash left stored but unhandled
        receiver = TelegramReceiver(settings.telegram_webhook_secret, self.receive)
        routes.add(webhook_path(settings), receiver)
        return None

    async def receive(self, raw: Any) -> web.Response:
        """A verified call (``TelegramReceiver``): store the update, answer 200, handle it
        after: a worker that dies after answering loses nothing."""
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
        await self.dispatcher.feed_update(self.bot, update, sent_first=True)

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
        self.poller.stopping.set()
        if self.polling is not None:
            if not self.poller.handling:  # waiting on getUpdates: nothing of ours in flight
                self.polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.polling
        await self.inbox.wait()
        await self.queues.wait(DRAIN_SECONDS)

    async def close(self) -> None:
        await self.bot.session.close()
