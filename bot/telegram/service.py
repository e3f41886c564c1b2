"""Telegram as a running service: the bot, polling or the webhook route, its outbox worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import TelegramObject, Update
from aiohttp import web

from bot.app import App
from bot.inbox_runner import InboxRunner, webhook_body
from bot.outbox import OutboxWorker
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.telegram.adapter import make_router, set_menu
from bot.telegram.publisher import TelegramSender
from handlers import outbound
from handlers.core import StoreUnavailable

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
REQUEST_TIMEOUT = 30  # seconds, every Bot API call
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def make_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token is not None
    api = TelegramAPIServer.from_base(str(settings.telegram_api_base).rstrip("/"))
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        session=AiohttpSession(api=api, timeout=REQUEST_TIMEOUT),
        default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
    )


async def wait_for_database(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Polling confirms an update once it is handled, so while the database is away the
    update is tried again (the member's message waits) rather than let go."""
    pause = 0.5
    while True:
        try:
            return await handler(event, data)
        except StoreUnavailable:
            log.warning("database unavailable; the update waits %.1fs", pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 30.0)


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
        self.dispatcher = Dispatcher()
        self.dispatcher.include_router(
            make_router(app.core, editor_chat=app.settings.editor_chat_id)
        )
        self.inbox = InboxRunner(app.sessions, app.locks, "telegram", self.feed)

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
            self.dispatcher.update.outer_middleware(wait_for_database)
            # Never drop what members sent while the bot was down.
            await self.bot.delete_webhook(drop_pending_updates=False)
            # One update at a time: the offset is confirmed only after an update is handled,
            # so a crash mid-update gets it re-delivered (and the claim skips the done ones).
            return asyncio.create_task(
                self.dispatcher.start_polling(
                    self.bot,
                    handle_as_tasks=False,
                    allowed_updates=ALLOWED_UPDATES,
                    handle_signals=False,
                    close_bot_session=False,
                )
            )
        assert web_app is not None
        await self.inbox.sweep(everything=True)  # what a crash left stored but unhandled
        web_app.router.add_post(webhook_path(settings), self.webhook)
        return None

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
            )

    async def stop_listening(self) -> None:
        if self.dispatcher._running_lock.locked():  # polling: let it finish the current update
            await self.dispatcher.stop_polling()
        await self.inbox.wait()

    async def close(self) -> None:
        await self.bot.session.close()
