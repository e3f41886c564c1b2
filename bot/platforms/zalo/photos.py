"""Zalo photos and the media store. A photo's URL lives for an undocumented time, so each is
fetched at intake, before the member is answered; one that cannot be had is refused at once
(templates/media_refused.j2) and nothing of it is kept. Posts then send photos from the store,
at ``{PUBLIC_BASE_URL}/media/<sha256>.<ext>`` (sendPhoto takes a URL that Zalo fetches), or by
the original URL when PUBLIC_BASE_URL is not set."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.media import Fetch, MediaUnavailable
from bot.runtime.media_route import public_url
from handlers.engine.types import MediaRef, Say
from storage import media_store
from storage.clock import now
from storage.media_store import LIMITS, MB, Refused, Stored

log = logging.getLogger(__name__)
Sessions = async_sessionmaker[AsyncSession]


async def fetch_in(sessions: Sessions, fetch: Fetch, url: str) -> Stored | Say:
    """The photo stored, or what to tell the member when it cannot be (one answer for every
    address refused: ``fetch`` is ``bot.runtime.media.fetch_url`` with the allowed hosts)."""
    try:
        data = await fetch(url)
        async with sessions() as session, session.begin():
            return await media_store.put(session, data=data)
    except MediaUnavailable as error:
        reason = "too_big" if str(error) == "too_big" else "unreachable"
        log.info("a Zalo photo could not be fetched: %s", error)
    except Refused as refused:
        reason = refused.reason
        log.info("a Zalo photo was refused: %s", reason)
    return Say("media_refused.j2", {"reason": reason, "limit_mb": LIMITS["photo"] // MB})


async def note(sessions: Sessions, url: str, stored: Stored) -> None:
    """Mark the media rows the core made of this photo as stored."""
    async with sessions() as session, session.begin():
        await media_store.record_ref(
            session, platform="zalo", ref=url, stored=stored, now=now(session)
        )


class PhotoUrls:
    """The URL a Zalo sendPhoto gets for a photo: the store's, when the bot has a public base."""

    def __init__(self, sessions: Sessions, public_base: str | None) -> None:
        self.sessions, self.base = sessions, public_base

    async def __call__(self, item: MediaRef) -> str:
        if self.base is None:
            return item.ref
        async with self.sessions() as session:
            found = await media_store.stored_ref(session, platform="zalo", ref=item.ref)
        return public_url(self.base, *found) if found else item.ref
