"""The fake OA's OAuth v4 (``/v4/oa/access_token`` and the permission page), as Zalo's SDKs
call it: the app secret in the ``secret_key`` header, ``expires_in`` a string, single-use
refresh tokens (a second use gets -14014), authorization codes living 10 minutes, checked
against their PKCE challenge. Mixed into ``FakeOA``, whose API accepts the access tokens made
here."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web

APP_ID = "4318842231590000001"
APP_SECRET = "app-secret-of-the-union-app"
FIRST_REFRESH = "first-refresh-token-from-api-explorer"
EXPIRES_IN = "90000"
HOLD_AT_MOST = 5.0


class FakeOAuth:
    def __init__(self) -> None:
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.refresh_tokens: set[str] = {FIRST_REFRESH}  # valid and unspent
        self.spent: list[str] = []  # refresh tokens used, in order (each once)
        self.refusals: list[str] = []  # refresh tokens refused (spent already, or unknown)
        self.access: dict[str, datetime] = {}  # access token → its end
        self.codes: dict[str, tuple[str, datetime]] = {}  # code → (code_challenge, issued)
        self.held: asyncio.Event | None = None  # a refresh's answer waits for it when set
        self.refresh_asked = asyncio.Event()  # a refresh has reached the server

    def hold_refreshes(self) -> None:
        """Refreshes reach the server but get no answer until ``answer_refreshes`` (or
        ``HOLD_AT_MOST`` seconds: a bot that waits on itself meanwhile is not hung forever)."""
        self.held, self.refresh_asked = asyncio.Event(), asyncio.Event()

    def answer_refreshes(self) -> None:
        if self.held is not None:
            self.held.set()

    def _touched(self) -> None:
        """Wakes those waiting on the fake (``FakeServer``'s, first in the order)."""

    def expire_access_tokens(self) -> None:
        self.access.clear()

    async def _oauth(self, request: web.Request) -> web.Response:
        form = await request.post()
        self._touched()
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return _error(-14002, "Invalid app id or secret key")
        if form.get("grant_type") == "authorization_code":
            challenge, issued = self.codes.pop(str(form.get("code", "")), ("", self.clock()))
            verifier = str(form.get("code_verifier", "")).encode()
            made = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if not challenge or made.decode() != challenge:  # spent, unknown or no PKCE match
                return _error(-14019, "Invalid code or code verifier")
            if self.clock() - issued > timedelta(minutes=10):
                return _error(-14020, "Code expired")
        elif form.get("grant_type") == "refresh_token":
            self.refresh_asked.set()
            if self.held is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.held.wait(), HOLD_AT_MOST)
            token = str(form.get("refresh_token", ""))
            if token not in self.refresh_tokens:
                self.refusals.append(token)
                return _error(-14014, "Invalid refresh token")
            self.refresh_tokens.discard(token)  # single use
            self.spent.append(token)
        else:
            return _error(-14001, "Invalid grant type")
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access[access] = self.clock() + timedelta(seconds=int(EXPIRES_IN))
        self.refresh_tokens.add(refresh)
        await asyncio.sleep(0.05)  # a refresh takes a moment: long enough for a race
        body = {"access_token": access, "refresh_token": refresh, "expires_in": EXPIRES_IN}
        return web.json_response(body)

    async def _permission(self, request: web.Request) -> web.Response:
        """The page where an OA admin allows the app: back to the redirect URI with a code."""
        query = request.query
        if query.get("app_id") != APP_ID or not query.get("code_challenge"):
            return _error(-14002, "Invalid app id or code challenge")
        code = secrets.token_urlsafe(16)
        self.codes[code] = (query["code_challenge"], self.clock())
        back = f"{query['redirect_uri']}?code={code}&state={query.get('state', '')}&oa_id=oa-1"
        raise web.HTTPFound(back)


def _error(code: int, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message})
