"""A refresh of the OA's tokens as a lease on the token row (``storage.tokens.lease``): one
short transaction claims it (one worker wins), the OAuth call runs outside any transaction
(on SQLite a transaction held across it would hold the one write lock, and every member's
answer, for up to the client's 30 s), a second short one stores the new pair while the lease
is still ours. A worker that lost waits a moment and reads the pair the winner stored; a
lease lapses (its worker died) after twice the client's timeout, and another takes over."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.zalo_oa.answers import ZaloOAError, ZaloOANetworkError
from bot.platforms.zalo_oa.client import ZaloOAClient
from handlers.engine import roles
from handlers.engine.context import Deps
from storage import clock, outbox, tokens
from storage.clock import monotonic
from storage.db import writing
from storage.models import PlatformToken

log = logging.getLogger(__name__)
PLATFORM = "zalo_oa"
AHEAD = timedelta(hours=1)  # an access token this close to its end is refreshed first
REFRESH_LIFE = timedelta(days=90)  # "three months", counted from the refresh that made it
WAIT_STEP = 0.05  # seconds between looks at the row while another worker refreshes
WAIT_MORE = 5.0  # seconds waited past a lease before calling its refresh lost


class TokenRefused(ZaloOAError):
    """Zalo refused the refresh token (spent, expired, revoked): a person must connect again."""


class NoToken(TokenRefused):
    def __init__(self) -> None:
        super().__init__("refresh", 0, "no token in the database and no ZALO_OA_REFRESH_TOKEN")


class LeasedRefresh:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], client: ZaloOAClient, deps: Deps
    ) -> None:
        self.sessions, self.client, self.deps = sessions, client, deps
        self.lease = timedelta(seconds=2 * client.timeout)  # outlasts the whole OAuth call

    async def refresh(self, *, spent: str | None = None) -> str:
        """Refresh under a lease on the row (``storage.tokens.lease``), never inside an open
        transaction; a token another worker made meanwhile (not ``spent`` and not near its
        end) is used instead of spending the refresh token again."""
        owner, waited_on = uuid4().hex, None
        give_up = monotonic() + self.lease.total_seconds() + WAIT_MORE
        while True:
            async with writing(self.sessions, "zalo_oa tokens"), self.sessions.begin() as session:
                now = clock.now(session)
                until = now + self.lease
                row = await tokens.lease(session, platform=PLATFORM, owner=owner, until=until)
                won, row = row is not None, row or await tokens.get(session, platform=PLATFORM)
                if row is None:
                    raise NoToken
                if usable(row, spent, now):
                    if won:
                        await tokens.release(session, platform=PLATFORM, owner=owner)
                    return row.access_token
                if won and row.refused and row.refresh_token == waited_on:
                    # the worker waited for was refused this very token: not offered again
                    raise TokenRefused("refresh", 0, row.refused)  # rolls the lease back
            if won:
                return await self._spend(owner, row.refresh_token)
            waited_on = row.refresh_token
            found = await self._wait(spent, give_up)
            if found is not None:
                return found

    async def _wait(self, spent: str | None, give_up: float) -> str | None:
        """Another worker holds the lease: its new token once stored, or None once the lease
        is free again (it failed, or lapsed) and may be claimed."""
        while monotonic() < give_up:
            await asyncio.sleep(WAIT_STEP)
            async with self.sessions() as session:
                row = await tokens.get(session, platform=PLATFORM)
                now = clock.now(session)
            if row is None:
                raise NoToken
            if usable(row, spent, now):
                return row.access_token
            if row.refreshing_until is None or row.refreshing_until <= now:
                return None
        raise ZaloOANetworkError(
            "refresh", "another worker's refresh never ended", maybe_delivered=False
        )

    async def _spend(self, owner: str, refresh_token: str) -> str:
        """The network call, outside any transaction; its outcome stored in a short one."""
        try:
            got = await self.client.refresh(refresh_token)
        except ZaloOAError as error:
            recorded = False
            async with writing(self.sessions, "zalo_oa tokens"), self.sessions.begin() as session:
                if isinstance(error, ZaloOANetworkError):  # the same token is tried again
                    await tokens.release(session, platform=PLATFORM, owner=owner)
                else:
                    reason = f"{error.code}: {error.message}"
                    recorded = await tokens.refused_by(
                        session, platform=PLATFORM, owner=owner, reason=reason
                    )
                    if recorded:
                        await self._tell(session, "token_refused", digest(refresh_token), error)
            if isinstance(error, ZaloOANetworkError):
                raise
            if not recorded:  # our lease lapsed: the worker that had it stored the new pair
                return await self.refresh()
            log.warning("Zalo OA refused the refresh token: %s", error)
            raise TokenRefused(error.method, error.code, error.message) from None
        async with writing(self.sessions, "zalo_oa tokens"), self.sessions.begin() as session:
            now = clock.now(session)
            stored = await tokens.store(
                session,
                platform=PLATFORM,
                owner=owner,
                spent=refresh_token,
                access_token=got.access_token,
                access_expires_at=now + timedelta(seconds=got.expires_in),
                refresh_token=got.refresh_token,
                refresh_expires_at=now + REFRESH_LIFE,
            )
        if stored:
            log.info("Zalo OA tokens refreshed; the access token lasts %ss", got.expires_in)
        else:
            log.warning("Zalo OA: a newer token pair was stored during this refresh; kept that")
        return got.access_token

    async def _tell(
        self, session: AsyncSession, event: str, key: str, error: ZaloOAError | None
    ) -> None:
        row = await tokens.get(session, platform=PLATFORM)
        context = {
            "code": error.code if error else None,
            "reason": error.message if error else "",
            "expires_at": row.refresh_expires_at.isoformat() if row else "",
        }
        for admin in await roles.admins(session, self.deps):
            platform, _, user_id = admin.partition(":")
            await outbox.notice(
                session,
                to=(platform, user_id),
                key=f"oa:{event}:{key}:{admin}"[:128],
                template=f"platforms/zalo_oa/{event}.j2",
                context=context,
            )


def usable(row: PlatformToken, spent: str | None, now: datetime) -> bool:
    """The stored access token serves: not the one Zalo just called invalid, not near its end."""
    return (
        bool(row.access_token)
        and row.access_token != spent
        and (row.access_expires_at - now > AHEAD)
    )


def digest(secret: str) -> str:
    """A short name for a refresh token in an outbox key: never the token itself."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]
