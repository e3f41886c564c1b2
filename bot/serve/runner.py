"""Running the service: the console demo, or every platform of the registry that has a token;
and the supervision that stops it all when a background task dies."""

from __future__ import annotations

import asyncio
import logging
import signal
import tomllib

import uvloop
from aiohttp import web
from pydantic import ValidationError

from bot.backup import daily
from bot.platforms import registry
from bot.platforms.console.service import run_console
from bot.runtime.app import App
from bot.runtime.archive_media import run_archive_media
from bot.runtime.health import HEALTH, Health
from bot.runtime.scheduler import run_scheduler
from bot.runtime.watchdog import watch_database
from bot.serve.compose import build
from bot.serve.keeper import Backoff, Keeper, Startup
from bot.serve.supervision import Supervisor
from bot.settings import Settings
from bot.web import server
from bot.web.hooks import WEBHOOKS
from handlers.desk import archived
from handlers.engine.texts import render
from handlers.engine.types import Say

log = logging.getLogger(__name__)
DRAIN_SECONDS = 10  # at shutdown, time for a send in flight to finish
BACKOFF = Backoff(first=2.0, cap=300.0)  # a platform that cannot start: 2 s, 4 s, … 5 min


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


def run(command: str, settings: Settings) -> int:
    """``main`` on uvloop, libuv's event loop written in C (https://uvloop.readthedocs.io):
    every await of the service (aiosqlite's hand-offs to its thread, aiohttp's requests and
    answers, the limiters' timers) costs less CPU than on asyncio's own loop. bench/flow.py,
    in turns on one machine: 12-15% less CPU per member update (README, Performance). The
    tests drive the same code on asyncio's loop in their process, and on this one in every
    bot process they start."""
    return uvloop.run(main(command, settings))


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


async def serve(
    app: App,
    *,
    handle_signals: bool = True,
    backoff: Backoff = BACKOFF,
    startup: Startup | None = None,
) -> None:
    """Every platform of the registry that has a token, one web server for their webhooks and
    ``/healthz``, an outbox worker and an inbox sweep per platform and the scheduler; until
    SIGTERM or cancelled. A platform that cannot start is tried again (``keeper.py``) while
    the others serve, the process staying up meanwhile; ``ServeFailed`` is raised when a
    background task dies or when no platform can ever start with these settings. ``startup``
    tells when every platform was tried once, and which of them serve."""
    settings = app.settings
    stop = asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    web_app = server.make_web(app)  # webhooks, archive, board, /healthz: one server
    health = web_app.get(HEALTH) or Health()
    supervisor = Supervisor(health, stop)
    wanted = registry.served(settings)
    keeper = Keeper(
        app,
        web_app[WEBHOOKS],
        health,
        supervisor,
        stop,
        wanted=wanted,
        backoff=backoff,
        startup=startup,
    )
    runner: web.AppRunner | None = None
    keepers: list[asyncio.Task[None]] = []
    # Sets ``stop`` (which ends the supervisor) and raises when the SQLite file is gone.
    watchdog = asyncio.create_task(watch_database(settings.database_url, stop))
    try:
        runner, url = await server.start(web_app, *server.address(settings))
        log.info("web (webhooks, archive, /healthz) served at %s", url)
        keepers = [asyncio.create_task(keeper.keep(platform)) for platform in wanted]
        scheduler = run_scheduler(
            app.sessions,
            app.core.deps,
            stop,
            backup=daily.plan(settings),
            pages_ready=keeper.startup.tried,
        )
        supervisor.add(asyncio.create_task(scheduler), "scheduler")
        # The archive's search index: items it lacks (e.g. published before it existed).
        indexing = archived.index_beside(app.sessions, stop)
        supervisor.add(asyncio.create_task(indexing), "archive index")
        archiving = run_archive_media(app.sessions, app.fetchers, stop)
        supervisor.add(asyncio.create_task(archiving), "photos into the archive")
        await supervisor.run()
    finally:
        stop.set()
        for task in keepers:
            task.cancel()
        await asyncio.gather(*keepers, return_exceptions=True)
        await keeper.stop_all()
        tasks = list(health.tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if runner is not None:  # last: /healthz answers 503 while the rest winds down
            await runner.cleanup()
        await keeper.close_all()
        await asyncio.wait([watchdog], timeout=DRAIN_SECONDS)
    if watchdog.done() and not watchdog.cancelled() and (gone := watchdog.exception()):
        raise gone  # DatabaseGone: the process ends non-zero, a supervisor notices
