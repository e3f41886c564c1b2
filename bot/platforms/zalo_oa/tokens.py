"""The OA's tokens: an access token living about 25 hours and a single-use refresh token
living three months (Zalo does not return that expiry: it is counted here), both in the
database (``storage.tokens``), so every worker and every restart uses the newest pair.

A refresh happens ahead of expiry (``AHEAD``), at once when the API calls a token invalid or
expired (-216/-220), and inside ``storage.tokens.claimed``: one worker at a time across
processes spends the refresh token; the others find the new pair when they get the row. The
admins are told in plain words when Zalo refuses a refresh, and when the refresh token nears
its three months (refreshes have been failing for weeks)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.zalo_oa.answers import (
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    ZaloOAError,
    ZaloOANetworkError,
)
from bot.platforms.zalo_oa.client import ZaloOAClient
from handlers.engine import roles
from handlers.engine.context import Deps
from storage import clock, outbox, tokens
from storage.db import writing

log = logging.getLogger(__name__)
PLATFORM = "zalo_oa"
AHEAD = timedelta(hours=1)  # an access token this close to its end is refreshed first
REFRESH_LIFE = timedelta(days=90)  # "three months", counted from the refresh that made it
AGING = timedelta(days=14)  # the admins are told when the refresh token has this much left
T = TypeVar("T")


class TokenRefused(ZaloOAError):
    """Zalo refused the refresh token (spent, expired, revoked): a person must connect again."""


class NoToken(TokenRefused):
    def __init__(self) -> None:
        super().__init__("refresh", 0, "no token in the database and no ZALO_OA_REFRESH_TOKEN")


class TokenKeeper:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        client: ZaloOAClient,
        deps: Deps,
        *,
        first_refresh_token: str | None = None,
    ) -> None:
        self.sessions, self.client, self.deps = sessions, client, deps
        self.first = first_refresh_token

    async def seed(self) -> None:
        """``ZALO_OA_REFRESH_TOKEN`` goes in once, when the database holds no tokens at all."""
        if self.first is None:
            return
        async with writing(self.sessions, "zalo_oa tokens"), self.sessions.begin() as session:
            now = clock.now(session)
            first = self.first
            if await tokens.seed(
                session,
                platform=PLATFORM,
                refresh_token=first,
                refresh_expires_at=now + REFRESH_LIFE,
            ):
                log.info("Zalo OA: the first refresh token from the settings is in the database")

    async def access(self) -> str:
        """A valid access token, refreshed first when it nears its end."""
        async with self.sessions() as session:
            row = await tokens.get(session, platform=PLATFORM)
            if (
                row is not None
                and row.access_token
                and row.access_expires_at - clock.now(session) > AHEAD
            ):
                return row.access_token
        return await self.refresh()

    async def call(self, do: Callable[[str], Awaitable[T]]) -> T:
        """``do`` with a valid token; once more with a fresh one when Zalo says -216/-220."""
        token = await self.access()
        try:
            return await do(token)
        except ZaloOAError as error:
            if isinstance(error, ZaloOANetworkError) or error.code not in (
                TOKEN_INVALID,
                TOKEN_EXPIRED,
            ):
                raise
            log.info("Zalo OA called the access token invalid (%s): refreshing now", error.code)
        return await do(await self.refresh(spent=token))

    async def refresh(self, *, spent: str | None = None) -> str:
        """Refresh under the row's lock; a token another worker made meanwhile (not ``spent``
        and not near its end) is used instead of spending the refresh token again."""
        refused: ZaloOAError | None = None
        async with writing(self.sessions, "zalo_oa tokens"), self.sessions.begin() as session:
            row = await tokens.claimed(session, platform=PLATFORM)
            if row is None:
                raise NoToken
            now = clock.now(session)
            fresh_enough = row.access_expires_at - now > AHEAD
            if row.access_token and row.access_token != spent and fresh_enough:
                return row.access_token
            try:
                got = await self.client.refresh(row.refresh_token)
            except ZaloOANetworkError:
                raise  # the row stays: the same refresh token is tried again
            except ZaloOAError as error:  # kept (committed) before it is raised
                refused = error
                tokens.refused(row, reason=f"{error.code}: {error.message}", now=now)
                session.add(row)
                await self._tell(session, "token_refused", _digest(row.refresh_token), error)
            else:
                tokens.save(
                    row,
                    access_token=got.access_token,
                    access_expires_at=now + timedelta(seconds=got.expires_in),
                    refresh_token=got.refresh_token,
                    refresh_expires_at=now + REFRESH_LIFE,
                    now=now,
                )
                session.add(row)
                log.info("Zalo OA tokens refreshed; the access token lasts %ss", got.expires_in)
                return got.access_token
        log.warning("Zalo OA refused the refresh token: %s", refused)
        raise TokenRefused(refused.method, refused.code, refused.message)

    async def keep_fresh(self) -> None:
        """The scheduler's turn (every few minutes): refresh ahead of expiry even when nobody
        writes, so the refresh token never ages; tell the admins when it still does."""
        async with self.sessions() as session:
            row = await tokens.get(session, platform=PLATFORM)
            if row is None:
                return
            left = row.refresh_expires_at - clock.now(session)
            due = not row.access_token or row.access_expires_at - clock.now(session) <= AHEAD
        if due and row.refused is None:
            try:
                await self.refresh()
                return
            except ZaloOAError as error:
                log.warning("Zalo OA: refreshing ahead of expiry failed: %s", error)
        if left <= AGING:
            async with writing(self.sessions, "zalo_oa tokens"), self.sessions.begin() as session:
                day = clock.now(session).astimezone(self.deps.tz).date()  # once a day
                await self._tell(
                    session, "token_aging", f"{_digest(row.refresh_token)}:{day}", None
                )

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


def _digest(secret: str) -> str:
    """A short name for a refresh token in an outbox key: never the token itself."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]
