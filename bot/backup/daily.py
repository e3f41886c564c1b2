"""The daily backup (BACKUP_DIR set): at BACKUP_AT in TIMEZONE, once a day across every worker
(the day's ``SlotRun`` row, claimed by the scheduler under its job lock), keeping the newest
BACKUP_KEEP files; when it fails, every admin is told once that day. The work runs in a
thread or a subprocess (``bot.backup.make``), off the event loop, beside the scheduler."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.backup import files
from bot.backup.make import take
from bot.backup.postgres import TIMEOUT
from bot.settings import Settings
from handlers.admin.tell import tell_admins
from handlers.engine.context import Deps
from storage.db import insert_new
from storage.models import SlotRun

log = logging.getLogger(__name__)
GRACE = timedelta(hours=12)  # a bot stopped over BACKUP_AT still backs up, once, within it


@dataclass(frozen=True)
class Plan:
    settings: Settings
    folder: Path
    keep: int
    at: str  # "HH:MM"


def plan(settings: Settings) -> Plan | None:
    if settings.backup_dir is None:
        return None
    return Plan(settings, settings.backup_dir, settings.backup_keep, settings.backup_at)


async def claim(session: AsyncSession, *, plan: Plan, deps: Deps, now: datetime) -> date | None:
    """The local day whose backup is due now and this worker claimed; None otherwise."""
    local = now.astimezone(deps.tz)
    hour, minute = (int(part) for part in plan.at.split(":"))
    due = datetime.combine(local.date(), time(hour, minute), tzinfo=deps.tz)
    if not due <= local < due + GRACE:
        return None
    key = f"backup:{local.date().isoformat()}"
    return local.date() if await insert_new(session, SlotRun, key=key, created_at=now) else None


async def run(
    sessions: async_sessionmaker[AsyncSession], deps: Deps, plan: Plan, day: date
) -> Path | None:
    """Take the day's backup; tell the admins once if it fails. The file, or None."""
    try:
        made = await asyncio.wait_for(take(plan.settings, plan.folder, at=deps.clock()), TIMEOUT)
        removed = await asyncio.to_thread(files.keep_last, plan.folder, plan.keep)
    except Exception as error:
        reason = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
        log.error("daily backup failed: %s", reason)
        async with sessions() as session, session.begin():
            context = {"day": day.strftime("%d/%m/%Y"), "error": reason, "folder": str(plan.folder)}
            await tell_admins(
                session,
                deps,
                key=f"backup-failed:{day.isoformat()}",
                template="notice/backup_failed.j2",
                context=context,
            )
        return None
    log.info("daily backup written: %s (%d old ones removed)", made.path.name, len(removed))
    return made.path
