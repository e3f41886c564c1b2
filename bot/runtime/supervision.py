"""What ``serve`` says when a platform cannot start, and the watch over its background tasks:
one clear line, never a raw traceback of a platform's refusal nor a process left doing nothing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.platforms.protocol import Served
from handlers.engine.texts import render
from handlers.engine.types import Say

log = logging.getLogger(__name__)


class ServeFailed(Exception):
    """``serve`` stopped on its own: no platform could start, or a background task died. The
    reason is already logged; ``python -m bot run`` exits 1 so that a supervisor restarts it."""


def _say(template: str, **ctx: object) -> str:
    return render(Say(template, ctx), "plain")


def _line(text: str, limit: int = 300) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def failed(platform: Served, error: BaseException, stage: str, *, others: bool) -> None:
    """One line naming what to fix; no traceback (the platform's words say what went wrong)."""
    found = platform.explain(error, stage=stage)
    log.error(
        _say(
            "cli/platform_failed.j2",
            platform=platform.name,
            key=found.key,
            variable=found.variable,
            detail=_line(found.detail),
            others=others,
        )
    )


async def supervise(tasks: dict[asyncio.Task[Any], str], stop: asyncio.Event) -> None:
    """Wait for the stop; a task that ends before it (each loops until then and survives its
    own errors) leaves a process that would answer nobody: end it all, loudly."""
    stopping = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if stop.is_set():
        return
    for task in done:
        if task is stopping or task not in tasks:
            continue
        error = task.exception() if not task.cancelled() else asyncio.CancelledError()
        reason = _line(f"{type(error).__name__}: {error}") if error else "returned"
        log.critical(
            _say("cli/task_died.j2", task=tasks[task], error=reason),
            exc_info=error if isinstance(error, Exception) else None,
        )
        raise ServeFailed(tasks[task])
