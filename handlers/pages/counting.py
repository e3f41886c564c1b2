"""Counting what units post on their own pages themselves (every 6 hours, once across workers;
``python -m bot count-pages`` at once). Each unit's own target (``targets`` in the
organisation file) whose platform can read it (``Deps.readers``) is read back ``READ_BACK``;
a post whose text carries one of the campaign's hashtags, and that the bot did not publish
itself (matched by post id), counts for the unit, its kind by its hashtag. Reading again is
idempotent: an edited post is updated, one deleted or left without a hashtag stops
counting. A page's followers are read at most once a (local) day. The reading happens
outside any transaction; each page's result is written in its own, and one page is read by
one reader at a time (a lease in the database), so an older answer never undoes a newer."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.engine.page_reading import PageReader, ReadRefused
from handlers.pages import direct
from storage import clock, pages
from storage.db import insert_new
from storage.models import SlotRun

log = logging.getLogger(__name__)
EVERY_HOURS = 6
READ_BACK = timedelta(days=35)  # a month's report, and edits and deletions within it
READ_TIMEOUT = 300.0  # seconds for one page, every page of its answer included
WAIT_STEP = 0.5  # seconds between looks while another worker reads the same page


@dataclass
class Counted:
    """What one round found, for the command line's line."""

    pages: int = 0  # read
    posts: int = 0  # counted (direct posts with a hashtag, the bot's own left out)
    refused: list[str] = field(default_factory=list)  # "facebook:123", told to the admins
    failed: list[str] = field(default_factory=list)  # unreachable: the next round tries again
    audiences: int = 0  # followers read today


async def claim(session: AsyncSession, *, deps: Deps, now: datetime) -> bool:
    """The current 6-hour round (local time), claimed by this worker: once across workers."""
    if not any(platform in deps.readers for _, platform, _ in deps.pages):
        return False
    local = now.astimezone(deps.tz)
    key = f"count-pages:{local:%Y-%m-%d}:{local.hour // EVERY_HOURS}"
    return await insert_new(session, SlotRun, key=key, created_at=now)


async def count(sessions: async_sessionmaker[AsyncSession], deps: Deps) -> Counted:
    """Read every unit's page now."""
    counted = Counted()
    now = deps.clock()
    since = now - READ_BACK
    day = now.astimezone(deps.tz).date().isoformat()
    for (platform, target), unit in direct.targets(deps).items():
        reader = deps.readers.get(platform)
        if reader is None:
            continue
        name = f"{platform}:{target}"
        if not await _begin(sessions, deps, platform, target):
            log.warning("page %s not read: another reading did not end", name)
            counted.failed.append(name)
            continue
        try:
            posts = await asyncio.wait_for(reader.posts(target, since), READ_TIMEOUT)
            async with sessions.begin() as session:
                counted.posts += await direct.record(
                    session,
                    deps=deps,
                    unit=unit,
                    platform=platform,
                    target=target,
                    posts=posts,
                    since=since,
                    now=now,
                )
        except ReadRefused:
            counted.refused.append(name)
            continue
        except Exception as error:  # unreachable, a 5xx: the next round reads it
            log.warning("page %s not read: %s", name, type(error).__name__)
            counted.failed.append(name)
            continue
        finally:
            async with sessions.begin() as session:
                await pages.end_reading(session, platform=platform, target=target)
        counted.pages += 1
        counted.audiences += await _audience(sessions, reader, unit, platform, target, day)
    return counted


async def _begin(
    sessions: async_sessionmaker[AsyncSession], deps: Deps, platform: str, target: str
) -> bool:
    """This page's reading claimed, after waiting for one in progress to end (so that an
    admin's ``count-pages`` during the 6-hour round reads after it, and its answer is the one
    kept); False if that one outlives a whole reading's time."""
    for _ in range(int(READ_TIMEOUT / WAIT_STEP) + 1):
        async with sessions.begin() as session:
            stale = timedelta(seconds=2 * READ_TIMEOUT)
            now = deps.clock()
            if await pages.begin_reading(
                session, platform=platform, target=target, now=now, stale=stale
            ):
                return True
        await asyncio.sleep(WAIT_STEP)
    return False


async def count_beside(sessions: async_sessionmaker[AsyncSession], deps: Deps) -> None:
    """``count`` as the scheduler's background task: a failure (the database away) is logged,
    and the next round, 6 hours on, reads again."""
    try:
        found = await count(sessions, deps)
    except Exception:
        log.exception("reading the units' pages failed")
        return
    log.info("units' pages read: %d, direct posts counted: %d", found.pages, found.posts)


async def _audience(
    sessions: async_sessionmaker[AsyncSession],
    reader: PageReader,
    unit: str,
    platform: str,
    target: str,
    day: str,
) -> int:
    """The day's followers of a page, unless read already today."""
    async with sessions() as session:
        if await pages.read_today(session, platform=platform, target=target, day=day):
            return 0
    try:
        audience = await asyncio.wait_for(reader.audience(target), READ_TIMEOUT)
    except Exception as error:  # refused ones are told by the platform
        log.warning("followers of %s:%s not read: %s", platform, target, type(error).__name__)
        return 0
    if audience is None:
        return 0
    async with sessions.begin() as session:
        kept = await pages.reading(
            session,
            platform=platform,
            target=target,
            day=day,
            unit=unit,
            followers=audience.followers,
            fans=audience.fans,
            now=clock.now(session),
        )
    return int(kept)
