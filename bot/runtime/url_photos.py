"""A photo that arrives as an address on the platform's servers (the Zalo bot's, the Zalo
OA's), of unknown life: fetched into the media store at intake, through the guarded fetch
(``bot.runtime.media.fetch_url``, checked hop by hop), before the member is answered. One that
cannot be had is refused at once (templates/media_refused.j2) and nothing of it is kept."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.media import Fetch, MediaUnavailable
from handlers.engine.types import Say
from storage import media_store
from storage.clock import now
from storage.media_store import LIMITS, MB, Refused, Stored

log = logging.getLogger(__name__)
Sessions = async_sessionmaker[AsyncSession]


async def fetch_in(sessions: Sessions, fetch: Fetch, url: str) -> Stored | Say:
    """The photo stored, or what to tell the member when it cannot be (one answer for every
    address refused: ``fetch`` is the platform's guarded fetch with the allowed hosts)."""
    try:
        data = await fetch(url)
        async with sessions() as session, session.begin():
            return await media_store.put(session, data=data)
    except MediaUnavailable as error:
        reason = "too_big" if str(error) == "too_big" else "unreachable"
        log.info("a photo could not be fetched: %s", error)
    except Refused as refused:
        reason = refused.reason
        log.info("a photo was refused: %s", reason)
    return Say("media_refused.j2", {"reason": reason, "limit_mb": LIMITS["photo"] // MB})


async def note(sessions: Sessions, platform: str, url: str, stored: Stored) -> None:
    """Mark the media rows the core made of this photo (``platform``'s ``url``) as stored."""
    async with sessions() as session, session.begin():
        await media_store.record_ref(
            session, platform=platform, ref=url, stored=stored, now=now(session)
        )
