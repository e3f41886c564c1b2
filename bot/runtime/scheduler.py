"""The clock of the service: posting slots, warnings and reminders, every ``every`` seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.jobs import nudges, weekly_nudge
from handlers.jobs.schedule import tick
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
) -> None:
    while not stop.is_set():
        try:
            async with writing(sessions, "scheduler"), sessions() as session, session.begin():
                # One worker ticks at a time; the others skip this round.
                if await locks.try_job_lock(session, name="tintot-scheduler"):
                    now = deps.clock()
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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
