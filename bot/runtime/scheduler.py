"""The clock of the service: posting slots, warnings, reminders and the daily backup, every
``every`` seconds."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.backup import daily
from bot.runtime.doorbell import wait_any
from handlers.engine.context import Deps
from handlers.jobs import nudges, weekly_nudge
from handlers.jobs.schedule import tick
from handlers.pages import counting
from handlers.privacy import retention
from storage import inbox, locks, updates
from storage.db import writing

log = logging.getLogger(__name__)
KEEP_HANDLED = timedelta(days=3)  # Telegram re-delivers for 24 h at most


async def run_scheduler(
    sessions: async_sessionmaker[AsyncSession],
    deps: Deps,
    stop: asyncio.Event,
    *,
    every: float = 30.0,
    backup: daily.Plan | None = None,
    pages_ready: asyncio.Event | None = None,
) -> None:
    """``pages_ready``: the units' pages are read only once it is set (every platform tried
    once at start, so that their readers are there)."""
    backing_up: asyncio.Task[object] | None = None
    reading: asyncio.Task[object] | None = None  # units' pages, read beside the ticks
    while not stop.is_set():
        day = None
        count = False
        ready = pages_ready is None or pages_ready.is_set()
        try:
            async with writing(sessions, "scheduler"), sessions() as session, session.begin():
                # One worker ticks at a time; the others skip this round.
                if await locks.try_job_lock(session, name="tintot-scheduler"):
                    now = deps.clock()
                    if backup is not None and (backing_up is None or backing_up.done()):
                        day = await daily.claim(session, plan=backup, deps=deps, now=now)
                    if ready and (reading is None or reading.done()):
                        count = await counting.claim(session, deps=deps, now=now)
                    await tick(session, deps=deps, now=now)
                    await nudges.weekly(session, deps=deps, now=now)
                    await weekly_nudge.units(session, deps=deps, now=now)
                    await nudges.monthly_report(session, deps=deps, now=now)
                    await retention.purge(session, deps=deps, now=now)
                    await inbox.forget_handled(session, before=now - KEEP_HANDLED)
                    await updates.forget_claims(session, before=now - KEEP_HANDLED)
        except Exception:
            # A database hiccup must not stop the slots: the next tick tries again.
            log.exception("scheduler tick failed")
            day, count = None, False  # the claims were rolled back with the tick
        if day is not None and backup is not None:  # claimed and committed: this worker's
            backing_up = asyncio.create_task(daily.run(sessions, deps, backup, day))
        if count:  # claimed and committed: this worker reads the pages, off the tick
            reading = asyncio.create_task(counting.count_beside(sessions, deps))
        # The next tick; or, once the platforms were all tried, at once: its pages are read.
        await wait_any(every, stop, None if ready else pages_ready)
    if reading is not None and not reading.done():
        reading.cancel()  # the next round (another worker's, a restart's) reads again
        await asyncio.gather(reading, return_exceptions=True)
    if backing_up is not None and not backing_up.done():
        backing_up.cancel()  # at shutdown: a half-written backup leaves only its .part file
        await asyncio.gather(backing_up, return_exceptions=True)
