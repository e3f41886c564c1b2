"""One aiohttp application for everything the bot serves over HTTP: the platforms' webhooks
(added by each platform's ``start``), the public archive, the office's board and the media.
A route group is a function ``add_x_routes(web_app, app)``; mounting one is one line in
``GROUPS``. Served on WEB_HOST:WEB_PORT, which default to WEBHOOK_HOST:WEBHOOK_PORT
(https://docs.aiohttp.org/en/stable/web_advanced.html#application-runners)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.runtime.app import App
from bot.runtime.health import add_health_route
from bot.runtime.media_route import add_media_routes
from bot.runtime.metrics import add_metrics_route
from bot.web.archive.routes import add_archive_routes
from bot.web.board.routes import add_board_routes
from bot.web.hooks import WEBHOOKS, Webhooks
from bot.web.where import address

__all__ = ["address", "make_web", "start"]

RouteGroup = Callable[[web.Application, App], None]


def add_media(web_app: web.Application, app: App) -> None:
    """Stored photos by their hash: Zalo fetches posts' photos here, the archive shows them."""
    add_media_routes(web_app, app.sessions)


def add_health(web_app: web.Application, app: App) -> None:
    """``GET /healthz`` for an uptime monitor (``bot/runtime/health.py``)."""
    add_health_route(web_app, app.engine)


GROUPS: tuple[RouteGroup, ...] = (
    add_archive_routes,
    add_board_routes,
    add_media,
    add_health,
    add_metrics_route,
)
APP = web.AppKey("app", App)


def make_web(app: App, groups: tuple[RouteGroup, ...] = GROUPS) -> web.Application:
    web_app = web.Application()
    web_app[APP] = app
    for add in groups:
        add(web_app, app)
    hooks = web_app[WEBHOOKS] = Webhooks()  # last: every other route is matched first
    web_app.router.add_post("/{tail:.*}", hooks.dispatch)
    return web_app


async def start(web_app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    """The server listening; its runner (to clean up) and the address a browser opens."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound = runner.addresses[0][1] if runner.addresses else port  # port 0: the one given
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return runner, f"http://{shown}:{bound}/"
