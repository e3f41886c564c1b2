"""The OA's interaction window: consultation messages are free within 48 hours of a member's
last interaction (a message, a follow, the chat button), charged from 48 hours to 7 days and
refused after (-230, -232). ``OA_PAID_WINDOW=false`` keeps to the free 48 hours. Outside it a
notice is held, never dropped (``bot.runtime.sending.Held``), and goes with the member's next
message (``storage.outbox.release_held``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.sending import Held
from storage import clock, outbox, reach
from storage.db import writing

PLATFORM = "zalo_oa"
FREE = timedelta(hours=48)
PAID = timedelta(days=7)


class Window:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, paid: bool) -> None:
        self.sessions, self.limit = sessions, PAID if paid else FREE

    async def check(self, user_id: str) -> None:
        """Raise ``Held`` when ``user_id`` cannot be written to now."""
        async with self.sessions() as session:
            last = await reach.last(session, platform=PLATFORM, user_id=user_id)
            now = clock.now(session)
        if last is None or now - last > self.limit:
            raise Held(f"outside the {int(self.limit.total_seconds() // 3600)}-hour window")

    async def opened(self, user_id: str) -> datetime:
        """``user_id`` reached the OA: the window starts again and what waited goes."""
        async with writing(self.sessions, "zalo_oa window"), self.sessions.begin() as session:
            now = clock.now(session)
            await reach.touch(session, platform=PLATFORM, user_id=user_id, at=now)
            await outbox.release_held(session, platform=PLATFORM, chat_id=user_id, now=now)
        return now
