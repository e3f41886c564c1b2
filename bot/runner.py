"""Running the service: the console demo, Telegram by polling or webhook, or a migration."""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
import tomllib

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.app import App, build
from bot.console import run_console
from bot.outbox import OutboxWorker
from bot.ratelimit import RateLimiter
from bot.scheduler import run_scheduler
from bot.settings import Settings
from bot.telegram.adapter import make_router, set_menu
from bot.telegram.publisher import TelegramSender
from handlers import outbound
from handlers.texts import render
from handlers.types import Say
from storage.db import make_engine, migrate

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
REQUEST_TIMEOUT = 30  # seconds, every Bot API call


class OrgError(Exception):
    pass


async def main(command: str, settings: Settings) -> int:
    if command == "migrate":
        engine = make_engine(settings.database_url)
        await migrate(engine)
        await engine.dispose()
        print(render(Say("cli/migrated.j2"), "plain"))
        return 0
    console = command == "demo" or settings.telegram_bot_token is None
    try:
        app = await build(settings, console=console)
    except (ValidationError, tomllib.TOMLDecodeError, OSError) as error:
        raise OrgError(str(error).splitlines()[0] if str(error) else repr(error)) from error
    try:
        if console:
            if command != "demo":
                print(render(Say("cli/no_platform.j2"), "plain"))
            await run_console(app.core)
        else:
            await serve_telegram(app)
        return 0
    finally:
        await app.close()


def make_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token is not None
    api = TelegramAPIServer.from_base(str(settings.telegram_api_base).rstrip("/"))
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        session=AiohttpSession(api=api, timeout=REQUEST_TIMEOUT),
        default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
    )


def make_dispatcher(app: App) -> Dispatcher:
    dispatcher = Dispatcher()
    dispatcher.include_router(make_router(app.core, editor_chat=app.settings.editor_chat_id))
    return dispatcher


def background(app: App, bot: Bot, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """The outbox worker (cards, notices, posts) and the scheduler (slots, reminders)."""
    worker = OutboxWorker(
        app.sessions,
        app.core.deps,
        TelegramSender(bot, RateLimiter()),
        compose=outbound.compose,
        after_sent=outbound.after_sent,
        after_problem=outbound.after_problem,
    )
    return [
        asyncio.create_task(worker.run(stop)),
        asyncio.create_task(run_scheduler(app.sessions, app.core.deps, stop)),
    ]


async def serve_telegram(app: App, *, handle_signals: bool = True) -> None:
    bot = make_bot(app.settings)
    dispatcher = make_dispatcher(app)
    stop = asyncio.Event()
    tasks = background(app, bot, stop)
    try:
        await set_menu(bot)
        if app.settings.telegram_webhook_url is None:
            # Never drop what members sent while the bot was down.
            await bot.delete_webhook(drop_pending_updates=False)
            # One update at a time: the offset is confirmed only after an update is handled,
            # so a crash mid-update gets it re-delivered (and the claim skips the done ones).
            await dispatcher.start_polling(
                bot,
                handle_as_tasks=False,
                allowed_updates=ALLOWED_UPDATES,
                handle_signals=handle_signals,
                close_bot_session=False,
            )
        else:
            await serve_webhook(app, bot, dispatcher, handle_signals=handle_signals)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await bot.session.close()


class CheckedRequestHandler(SimpleRequestHandler):
    """aiogram's handler compares the secret with ``==``; compare in constant time."""

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        if not self.secret_token:
            return True
        return hmac.compare_digest(telegram_secret_token.encode(), self.secret_token.encode())


def webhook_path(settings: Settings) -> str:
    """The path of the public webhook URL is the path served: a proxy passes it through."""
    url = settings.telegram_webhook_url
    return (
        url.path if url is not None and url.path not in (None, "", "/") else None
    ) or "/telegram"


async def serve_webhook(
    app: App, bot: Bot, dispatcher: Dispatcher, *, handle_signals: bool = True
) -> None:
    settings = app.settings
    assert settings.telegram_webhook_url is not None and settings.telegram_webhook_secret
    secret = settings.telegram_webhook_secret.get_secret_value()
    web_app = web.Application()
    CheckedRequestHandler(
        dispatcher=dispatcher, bot=bot, secret_token=secret, handle_in_background=False
    ).register(web_app, path=webhook_path(settings))
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    await bot.set_webhook(
        str(settings.telegram_webhook_url),
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
    )
    log.info("webhook served on port %s at %s", settings.webhook_port, webhook_path(settings))
    stop = asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
