"""Running the service: the console demo, every platform that has a token, or a migration."""

from __future__ import annotations

import asyncio
import logging
import signal
import tomllib

from aiohttp import web
from pydantic import ValidationError

from bot.platforms.console.service import run_console
from bot.platforms.telegram.service import TelegramService
from bot.platforms.zalo.service import ZaloService
from bot.runtime.app import App, build
from bot.runtime.scheduler import run_scheduler
from bot.runtime.watchdog import watch_database
from bot.settings import Settings
from handlers.engine.texts import render
from handlers.engine.types import Say
from storage.db import make_engine, migrate

log = logging.getLogger(__name__)
DRAIN_SECONDS = 10  # at shutdown, time for a send in flight to finish


class OrgError(Exception):
    """What is wrong in the organisation file: where, a key of cli/org_error.j2, the value."""

    def __init__(self, where: str, key: str, value: str) -> None:
        super().__init__(where, key, value)
        self.where, self.key, self.value = where, key, value


def org_problem(error: Exception) -> OrgError:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        key, sep, value = message.partition("|")
        return OrgError(
            f"{where}: " if where else "", key if sep else "other", value if sep else message
        )
    text = str(error).splitlines()[0] if str(error) else repr(error)
    return OrgError("", "other", text)


async def main(command: str, settings: Settings) -> int:
    if command == "migrate":
        engine = make_engine(settings.database_url)
        await migrate(engine)
        await engine.dispose()
        print(render(Say("cli/migrated.j2"), "plain"))
        return 0
    console = command == "demo" or not (settings.telegram_bot_token or settings.zalo_bot_token)
    try:
        app = await build(settings, console=console)
    except (ValidationError, tomllib.TOMLDecodeError, OSError) as error:
        raise org_problem(error) from error
    try:
        if console:
            if command != "demo":
                print(render(Say("cli/no_platform.j2"), "plain"))
            await run_console(app.core)
        else:
            await serve(app)
        return 0
    finally:
        await app.close()


async def serve(app: App, *, handle_signals: bool = True) -> None:
    """Every platform that has a token (both at once when both do), one web server for their
    webhooks, an outbox worker per platform and the scheduler; until SIGTERM or cancelled."""
    settings = app.settings
    stop = asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    services: list[TelegramService | ZaloService] = []
    if settings.telegram_bot_token is not None:
        services.append(TelegramService(app))
    if settings.zalo_bot_token is not None:
        services.append(ZaloService(app))
    webhooks = settings.telegram_webhook_url is not None or settings.zalo_webhook_url is not None
    web_app = web.Application() if webhooks else None
    runner: web.AppRunner | None = None
    watchdog = asyncio.create_task(watch_database(settings.database_url, stop))
    tasks = [asyncio.create_task(run_scheduler(app.sessions, app.core.deps, stop)), watchdog]
    try:
        for service in services:
            tasks.append(asyncio.create_task(service.worker().run(stop)))
            tasks.append(asyncio.create_task(service.inbox.sweep_forever(stop)))
            listener = await service.start(web_app)
            if listener is not None:
                tasks.append(listener)
        if web_app is not None:
            runner = web.AppRunner(web_app)
            await runner.setup()
            await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
            log.info("webhooks served on port %s", settings.webhook_port)
        for service in services:
            await service.after_listening()
        await stop.wait()
    finally:
        stop.set()
        for service in services:
            await service.stop_listening()
        if runner is not None:
            await runner.cleanup()
        _, pending = await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for service in services:
            await service.close()
    if watchdog.done() and not watchdog.cancelled() and (gone := watchdog.exception()):
        raise gone  # DatabaseGone: the process ends non-zero, a supervisor notices
