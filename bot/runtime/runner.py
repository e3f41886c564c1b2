"""Running the service: the console demo, or every platform of the registry that has a token;
and the supervision that stops it all when a background task dies."""

from __future__ import annotations

import asyncio
import logging
import signal
import tomllib
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.backup import daily
from bot.platforms import registry
from bot.platforms.console.service import run_console
from bot.platforms.protocol import Served, Service
from bot.runtime.app import App, build
from bot.runtime.archive_media import run_archive_media
from bot.runtime.scheduler import run_scheduler
from bot.runtime.supervision import ServeFailed, failed, supervise
from bot.runtime.watchdog import watch_database
from bot.settings import Settings
from bot.web import server
from handlers.desk import archived
from handlers.engine.texts import render
from handlers.engine.types import Say

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
    console = command == "demo" or not registry.served(settings)
    try:
        app = await build(settings, console=console)
    except (ValidationError, tomllib.TOMLDecodeError, OSError) as error:
        raise org_problem(error) from error
    try:
        if console:
            if command != "demo":
                print(render(Say("cli/no_platform.j2"), "plain"))
            await _console(app)
        else:
            await serve(app)
        return 0
    finally:
        await app.close()


async def _console(app: App) -> None:
    """The console demo, with the archive on this machine so a newcomer sees it at once."""
    try:
        runner, url = await server.start(
            server.make_web(app), *server.address(app.settings, local=True)
        )
    except OSError:  # the port is taken: any free one
        runner, url = await server.start(server.make_web(app), "127.0.0.1", 0)
    print(render(Say("cli/web_served.j2", {"url": url}), "plain"))
    await archived.index_missing(app.sessions)  # a demo's database is small
    try:
        await run_console(app.core)
    finally:
        await runner.cleanup()


async def serve(app: App, *, handle_signals: bool = True) -> None:
    """Every platform of the registry that has a token, one web server for their webhooks, an
    outbox worker and an inbox sweep per platform and the scheduler; until SIGTERM or
    cancelled. A platform that cannot start is reported and left out, the others serve; when
    none can, or when any background task ends on its own, ``ServeFailed`` is raised."""
    settings = app.settings
    stop = asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    wanted = registry.served(settings)
    web_app = server.make_web(app)  # webhooks, archive, board: one server
    runner: web.AppRunner | None = None
    started: list[tuple[Served, Service, asyncio.Task[None] | None]] = []
    running: list[Service] = []
    tasks: dict[asyncio.Task[Any], str] = {}
    # Sets ``stop`` (which ends supervise) and raises when the SQLite file is gone.
    watchdog = asyncio.create_task(watch_database(settings.database_url, stop))
    try:
        for platform in wanted:  # open and register; the web server is not up yet
            try:
                service = await platform.open(app)
            except Exception as error:
                failed(platform, error, "start", others=len(wanted) > 1)
                continue
            try:
                started.append((platform, service, await service.start(web_app)))
            except Exception as error:
                failed(platform, error, "start", others=len(wanted) > 1)
                await service.close()
        if started:
            runner, url = await server.start(web_app, *server.address(settings))
            log.info("web (webhooks, archive) served at %s", url)
        for platform, service, listener in started:
            try:
                await service.after_listening()  # e.g. setWebhook, which Zalo may refuse
            except Exception as error:
                failed(platform, error, "webhook", others=len(wanted) > 1)
                await service.stop_listening()
                await service.close()
                continue
            running.append(service)
            if listener is not None:
                tasks[listener] = f"{platform.name}: polling"
            tasks[asyncio.create_task(service.worker().run(stop))] = f"{platform.name}: outbox"
            sweep = asyncio.create_task(service.inbox.sweep_forever(stop))
            tasks[sweep] = f"{platform.name}: inbox sweep"
        if not running:
            log.critical(render(Say("cli/nothing_serves.j2"), "plain"))
            raise ServeFailed("no platform started")
        scheduler = run_scheduler(app.sessions, app.core.deps, stop, backup=daily.plan(settings))
        tasks[asyncio.create_task(scheduler)] = "scheduler"
        # The archive's search index: items it lacks (e.g. published before it existed).
        tasks[asyncio.create_task(archived.index_beside(app.sessions, stop))] = "archive index"
        archiving = run_archive_media(app.sessions, app.fetchers, stop)
        tasks[asyncio.create_task(archiving)] = "photos into the archive"
        await supervise(tasks, stop)
    finally:
        stop.set()
        for service in running:
            await service.stop_listening()
        if runner is not None:
            await runner.cleanup()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for service in running:
            await service.close()
        await asyncio.wait([watchdog], timeout=DRAIN_SECONDS)
    if watchdog.done() and not watchdog.cancelled() and (gone := watchdog.exception()):
        raise gone  # DatabaseGone: the process ends non-zero, a supervisor notices
