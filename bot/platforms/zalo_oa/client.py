"""An async client of the Zalo Official Account API and of its OAuth v4 token endpoint.

As Zalo's official SDKs call them (read before this was written):
- zaloplatform/zalo-java-sdk, ``src/test/java/v3/SendTextCSMessage.java`` and
  ``SendImageCSMessage.java``: consultation messages, ``POST {api}/v3.0/oa/message/cs``, the
  token in the ``access_token`` header, ``{"recipient": {"user_id"}, "message": {"text"} or
  {"attachment": {"type": "template", "payload": {"template_type": "media", "elements":
  [{"media_type": "image", "attachment_id" | "url"}]}}}}``;
- ``UploadImage.java``: ``POST {api}/v2.0/oa/upload/image``, multipart field ``file``
  (answers ``data.attachment_id``; it expires after 7 days, so it is never stored);
- ``CreateNormalArticle.java``: ``POST {api}/v2.0/article/create`` with ``type: normal``,
  ``title``, ``author``, ``cover`` (``cover_type: photo``, ``photo_url``, ``status: show``),
  ``description``, ``body`` (items ``{type: text, content}`` / ``{type: image, url}``),
  ``status``, ``comment``; it answers a ``token``, and ``GetArticleId.java``: ``POST
  {api}/v2.0/article/verify`` ``{"token"}`` gives the article's ``id`` once it exists;
- ``GetAccessTokenByRefreshToken.java``: ``POST {oauth}/v4/oa/access_token``, form-encoded
  ``refresh_token``, ``app_id``, ``grant_type=refresh_token``, header ``secret_key`` = the
  app secret; ZaloDotNetSDK and zalo-php-sdk's ``OAuth2Client`` call the same endpoint (and
  ``grant_type=authorization_code`` with ``code`` and ``code_verifier`` for a first token).

The OA API docs (https://developers.zalo.me/docs/official-account/) add what the SDKs leave
to the caller: every answer is HTTP 200, success or not, with ``error`` (0 on success) and
``message``; so every body is checked. The OAuth answer carries ``expires_in`` as a string
("90000"). Limits: text up to 2,000 characters, about 4,000 requests a minute per app (paced
here, per process), title ≤ 150 and description ≤ 300 characters for articles.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from bot.platforms.zalo_oa.answers import (
    Tokens,
    ZaloOANetworkError,
    checked,
    data_of,
    tokens_of,
)
from storage.clock import monotonic

TEXT_LIMIT = 2000
PER_MINUTE = 4000
_NEVER_LEFT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, aiohttp.InvalidURL)


class Pace:
    """At most ``per_minute`` requests a minute from this client, evenly spaced."""

    def __init__(self, per_minute: int = PER_MINUTE) -> None:
        self.gap, self.next_at, self.lock = 60.0 / per_minute, 0.0, asyncio.Lock()

    async def wait(self) -> None:
        async with self.lock:
            now = monotonic()
            if self.next_at > now:
                await asyncio.sleep(self.next_at - now)
            self.next_at = max(now, self.next_at) + self.gap


class ZaloOAClient:
    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        api_base: str,
        oauth_base: str,
        timeout: float = 30.0,
        per_minute: int = PER_MINUTE,
    ) -> None:
        self.app_id, self._secret = app_id, app_secret
        self.api, self.oauth = api_base.rstrip("/"), oauth_base.rstrip("/")
        self.timeout, self.pace = timeout, Pace(per_minute)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- OAuth v4 ----------------------------------------------------------------------------

    async def refresh(self, refresh_token: str) -> Tokens:
        form = {
            "refresh_token": refresh_token,
            "app_id": self.app_id,
            "grant_type": "refresh_token",
        }
        return tokens_of(await self._oauth("refresh", form))

    async def exchange_code(self, code: str, code_verifier: str) -> Tokens:
        form = {
            "code": code,
            "app_id": self.app_id,
            "grant_type": "authorization_code",
            "code_verifier": code_verifier,
        }
        return tokens_of(await self._oauth("authorization_code", form))

    async def _oauth(self, method: str, form: dict[str, str]) -> dict[str, Any]:
        headers = {"secret_key": self._secret}
        url = f"{self.oauth}/v4/oa/access_token"
        return await self._request(method, "POST", url, headers=headers, data=form)

    # --- the OA API ----------------------------------------------------------------------------

    async def get_oa(self, token: str) -> dict[str, Any]:
        return data_of(await self._api("getoa", "GET", "/v2.0/oa/getoa", token))

    async def send_text(self, token: str, user_id: str, text: str) -> str:
        if not 1 <= len(text) <= TEXT_LIMIT:
            raise ValueError(f"an OA text is 1-{TEXT_LIMIT} characters, not {len(text)}")
        return await self._send(token, user_id, {"text": text})

    async def send_image(self, token: str, user_id: str, attachment_id: str) -> str:
        element = {"media_type": "image", "attachment_id": attachment_id}
        payload = {"template_type": "media", "elements": [element]}
        return await self._send(
            token, user_id, {"attachment": {"type": "template", "payload": payload}}
        )

    async def _send(self, token: str, user_id: str, message: dict[str, Any]) -> str:
        body = {"recipient": {"user_id": user_id}, "message": message}
        answer = await self._api("message/cs", "POST", "/v3.0/oa/message/cs", token, json=body)
        return str(data_of(answer).get("message_id", ""))

    async def upload_image(self, token: str, data: bytes, name: str, mime: str) -> str:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=name, content_type=mime)
        answer = await self._api("upload/image", "POST", "/v2.0/oa/upload/image", token, data=form)
        return str(data_of(answer).get("attachment_id", ""))

    async def create_article(self, token: str, article: dict[str, Any]) -> str:
        answer = await self._api(
            "article/create", "POST", "/v2.0/article/create", token, json=article
        )
        return str(data_of(answer).get("token", ""))

    async def verify_article(self, token: str, article_token: str) -> str | None:
        """The article's id once Zalo made it; None while it is still being made."""
        body = {"token": article_token}
        answer = await self._api("article/verify", "POST", "/v2.0/article/verify", token, json=body)
        found = data_of(answer).get("id")
        return str(found) if found else None

    async def _api(
        self, method: str, verb: str, path: str, token: str, **kwargs: Any
    ) -> dict[str, Any]:
        headers = {"access_token": token}
        return await self._request(method, verb, f"{self.api}{path}", headers=headers, **kwargs)

    async def _request(
        self, method: str, verb: str, url: str, *, headers: dict[str, str], **kwargs: Any
    ) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        await self.pace.wait()
        timeout = aiohttp.ClientTimeout(total=self.timeout, connect=min(10.0, self.timeout / 2))
        failure: ZaloOANetworkError
        try:
            async with self._session.request(
                verb, url, headers=headers, timeout=timeout, **kwargs
            ) as response:
                status, raw = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            left = not isinstance(error, _NEVER_LEFT)
            failure = ZaloOANetworkError(method, type(error).__name__, maybe_delivered=left)
        else:
            return checked(method, status, raw)
        raise failure  # outside the except: no chained exception quoting a token header
