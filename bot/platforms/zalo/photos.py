"""Zalo photos and the media store. A photo's URL lives for an undocumented time, so each is
fetched at intake (``bot.runtime.url_photos``), before the member is answered. Posts then send
photos from the store, at ``{PUBLIC_BASE_URL}/media/<sha256>.<ext>`` (sendPhoto takes a URL
that Zalo fetches), or by the original URL when PUBLIC_BASE_URL is not set."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.media_route import public_url
from handlers.engine.types import MediaRef
from storage import media_store

Sessions = async_sessionmaker[AsyncSession]


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
