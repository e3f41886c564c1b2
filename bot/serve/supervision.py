"""What ``serve`` says when a platform cannot start, and the watch over its background tasks:
one clear line, never a raw traceback of a platform's refusal nor a process left doing nothing.

A background task that ends on its own (each loops until the stop and survives its own
errors: only a bug gets it out) makes ``/healthz`` answer 503 naming it at once, then the
process ends with status 1 after one critical line, so that systemd restarts it: a process
that would answer nobody must not look alive. A platform that cannot start is no such case:
``bot/serve/keeper.py`` tries it again while the others serve."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.platforms.protocol import Served, StartProblem
from bot.runtime.health import Health
from handlers.engine.texts import render
from handlers.engine.types import Say

log = logging.getLogger(__name__)


class ServeFailed(Exception):
    """``serve`` stopped on its own: no platform can ever start with these settings, or a
    background task died. The reason is already logged; ``python -m bot run`` exits 1 so that
    a supervisor restarts it."""


def _say(template: str, **ctx: object) -> str:
    return render(Say(template, ctx), "plain")


def _line(text: str, limit: int = 300) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def failed(platform: Served, found: StartProblem, *, others: bool) -> None:
    """One line naming what to fix; no traceback (the platform's words say what went wrong)."""
    line = _say(
        "cli/platform_failed.j2",
        platform=platform.name,
        key=found.key,
        variable=found.variable,
        detail=_line(found.detail),
        others=others,
        retrying=not found.lasting,
    )
    (log.error if found.lasting else log.warning)(line)


class Supervisor:
    """The background tasks of ``serve``, which may be added while it runs (a platform that
    starts late); ``run`` returns at the stop and raises ``ServeFailed`` when one dies."""

    def __init__(self, health: Health, stop: asyncio.Event) -> None:
        self.health, self.stop = health, stop
        self.woken = asyncio.Event()
        self.died: asyncio.Task[Any] | None = None
        self.nothing_left = False

    def add(self, task: asyncio.Task[Any], name: str) -> None:
        self.health.tasks[task] = name
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[Any]) -> None:
        if not self.stop.is_set() and self.died is None:
            self.died = task
            self.woken.set()

    def give_up(self) -> None:
        """Every platform is off for good: nothing this process can do will serve anyone."""
        self.nothing_left = True
        self.woken.set()

    async def run(self) -> None:
        stopping = asyncio.create_task(self.stop.wait())
        woken = asyncio.create_task(self.woken.wait())
        try:
            await asyncio.wait([stopping, woken], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            woken.cancel()
        if self.stop.is_set():
            return
        task = self.died
        if task is None:
            log.critical(_say("cli/nothing_serves.j2"))
            raise ServeFailed("no platform can start")
        name = self.health.tasks[task]
        error = task.exception() if not task.cancelled() else asyncio.CancelledError()
        reason = _line(f"{type(error).__name__}: {error}") if error else "returned"
        log.critical(
            _say("cli/task_died.j2", task=name, error=reason),
            exc_info=error if isinstance(error, Exception) else None,
        )
        raise ServeFailed(name)
