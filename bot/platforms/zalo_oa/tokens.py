"""The OA's tokens: an access token living about 25 hours and a single-use refresh token
living three months (Zalo does not return that expiry: it is counted here), both in the
database (``storage.tokens``), so every worker and every restart uses the newest pair.

A refresh happens ahead of expiry (``AHEAD``), at once when the API calls a token invalid or
expired (-216/-220), under a lease on the row (``lease``): one worker at a time across
processes spends the refresh token, with no transaction open across the OAuth call; the
others wait a moment and read the new pair. The admins are told in plain words when Zalo
refuses a refresh, and when the refresh token nears its three months (refreshes have been
failing for weeks)."""

from __future__ import annotations

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
from bot.platforms.zalo_oa.lease import AHEAD as AHEAD
from bot.platforms.zalo_oa.lease import PLATFORM as PLATFORM
from bot.platforms.zalo_oa.lease import REFRESH_LIFE as REFRESH_LIFE
from bot.platforms.zalo_oa.lease import LeasedRefresh, digest
from bot.platforms.zalo_oa.lease import NoToken as NoToken
from bot.platforms.zalo_oa.lease import TokenRefused as TokenRefused
from handlers.engine.context import Deps
from storage import clock, tokens
from storage.db import writing

log = logging.getLogger(__name__)
AGING = timedelta(days=14)  # the admins are told when the refresh token has this much left
T = TypeVar("T")


class TokenKeeper(LeasedRefresh):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        client: ZaloOAClient,
        deps: Deps,
        *,
        first_refresh_token: str | None = None,
    ) -> None:
        super().__init__(sessions, client, deps)
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
                await self._tell(session, "token_aging", f"{digest(row.refresh_token)}:{day}", None)
