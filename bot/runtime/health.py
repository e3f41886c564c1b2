"""What ``GET /healthz`` tells an uptime monitor: the database answers, every background task
is alive, no platform is failing. 200 with ``{"status": "ok", ...}``, else 503 with the
reasons. Only names and short codes: no secret, no personal data, no platform's own words
(they may quote a URL or a token)."""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
DB_SECONDS = 3.0  # the database must answer ``SELECT 1`` within this


class State(enum.StrEnum):
    STARTING = "starting"
    SERVING = "serving"
    RETRYING = "retrying"  # a transient failure: tried again with a growing pause
    OFF = "off"  # a refused token or a wrong setting: off until the settings change


@dataclass
class PlatformState:
    state: State
    problem: str = ""  # a key of templates/cli/platform_failed.j2: "unreachable", ...
    tries: int = 0


@dataclass
class Health:
    """One per served web application, filled by ``serve`` (the console demo leaves it empty:
    nothing there can fail but the database)."""

    platforms: dict[str, PlatformState] = field(default_factory=dict)
    tasks: dict[asyncio.Task[Any], str] = field(default_factory=dict)

    def set(self, name: str, state: State, problem: str = "", tries: int = 0) -> bool:
        """Record a platform's state; True when it changed (the caller logs only then)."""
        old = self.platforms.get(name)
        self.platforms[name] = PlatformState(state, problem, tries)
        return old is None or (old.state, old.problem) != (state, problem)

    def serving(self) -> list[str]:
        return [n for n, p in self.platforms.items() if p.state == State.SERVING]

    def dead_tasks(self) -> list[str]:
        return sorted(name for task, name in self.tasks.items() if task.done())

    def reasons(self) -> list[str]:
        """Why the service is not healthy, as short codes; empty when it is."""
        found = [
            f"platform {name}: {p.state}" + (f" ({p.problem})" if p.problem else "")
            for name, p in sorted(self.platforms.items())
            if p.state != State.SERVING
        ]
        return found + [f"task {name}: stopped" for name in self.dead_tasks()]


async def database_answers(engine: AsyncEngine, seconds: float = DB_SECONDS) -> bool:
    # SQLite answers ``SELECT 1`` without opening its file: a read of its schema proves the
    # file can be read (not locked away by another process, not on a dead disk).
    sqlite = engine.dialect.name == "sqlite"
    probe = text("SELECT 1 FROM sqlite_master LIMIT 1" if sqlite else "SELECT 1")
    try:
        async with asyncio.timeout(seconds), engine.connect() as connection:
            await connection.execute(probe)
    except Exception as error:  # unreachable, refused, too slow: all the same to a monitor
        log.warning("health check: the database did not answer (%s)", type(error).__name__)
        return False
    return True


async def report(health: Health, engine: AsyncEngine) -> tuple[int, dict[str, Any]]:
    database = await database_answers(engine)
    reasons = health.reasons() + ([] if database else ["database: unreachable"])
    body: dict[str, Any] = {
        "status": "failing" if reasons else "ok",
        "database": "ok" if database else "unreachable",
        "platforms": {name: p.state.value for name, p in sorted(health.platforms.items())},
        "tasks": {name: "stopped" if t.done() else "alive" for t, name in health.tasks.items()},
    }
    if reasons:
        body["reasons"] = reasons
    return (503 if reasons else 200), body


HEALTH = web.AppKey("health", Health)


def add_health_route(web_app: web.Application, engine: AsyncEngine) -> Health:
    """``GET /healthz`` on ``web_app``; the Health it reports, for ``serve`` to fill."""
    health = web_app[HEALTH] = Health()

    async def healthz(request: web.Request) -> web.Response:
        status, body = await report(health, engine)
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    web_app.router.add_get("/healthz", healthz)
    return health
