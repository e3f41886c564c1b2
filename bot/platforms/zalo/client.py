"""A small async client of the Zalo Bot API: JSON POSTs to ``{base}/bot{token}/{method}``,
answers in a Telegram-like envelope ``{ok, result, error_code, description}``
(https://bot.zaloplatforms.com/docs/, as the project's DESIGN.md records it).

An empty long poll: the docs say ``error_code`` 408 in the body; live bots get HTTP status 408
with ``{"ok": false, "description": "Request timeout"}`` and no error_code. Both mean "nothing
arrived". Texts are limited to 2000 "ký tự" in an undocumented unit: counted in UTF-16 code
units, as the JavaScript clients that reach Zalo do, which is never fewer than code points.

The token is part of every URL, and aiohttp's exceptions quote the URL: network failures are
re-raised as ``ZaloNetworkError`` with the method named instead and no exception chained.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.platforms.textsplit import utf16_len

TEXT_LIMIT = 2000  # UTF-16 code units
POLL_MARGIN = 10.0  # the HTTP read outlasts a long poll by this much
NOTHING_ARRIVED = 408  # getUpdates' error_code, or HTTP status, when the poll ran out empty
PHOTO_SECONDS = 120.0  # sendPhoto: Zalo fetches the image from its URL before it answers
# Words of a refusal that looks like a quota or a permission (the real error is undocumented:
# third parties report monthly message caps on the free plan). Only these, or HTTP/error_code
# 403, count: a quota refusal keeps the message waiting, so a false match would hold it back.
QUOTA_WORDS = (
    "quota",
    "exceed",
    "limit reached",
    "permission",
    "not allowed",
    "forbidden",
    "hạn mức",
    "vượt quá",
    "không có quyền",
)
_NEVER_LEFT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, aiohttp.InvalidURL)


class ZaloError(Exception):
    """The Bot API refused a call (``ok`` false, or an HTTP error status)."""

    def __init__(
        self, method: str, description: str, *, error_code: int | None = None, status: int = 0
    ) -> None:
        code = f" (error_code {error_code})" if error_code is not None else ""
        super().__init__(f"{method}: {description}{code}")
        self.method, self.description = method, description
        self.error_code, self.status = error_code, status


class ZaloNetworkError(ZaloError):
    """No answer. ``maybe_delivered`` is False only when the request provably never left (the
    connection was not made), so sending again cannot show a message twice."""

    def __init__(self, method: str, description: str, *, maybe_delivered: bool) -> None:
        super().__init__(method, description)
        self.maybe_delivered = maybe_delivered


def looks_like_quota(error: ZaloError) -> bool:
    """A refusal that reads as a quota or a permission (see QUOTA_WORDS), not a network fault."""
    if isinstance(error, ZaloNetworkError):
        return False
    words = error.description.casefold()
    return 403 in (error.error_code, error.status) or any(word in words for word in QUOTA_WORDS)


class ZaloClient:
    def __init__(
        self,
        token: str,
        *,
        api_base: str = "https://bot-api.zaloplatforms.com",
        timeout: float = 30.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._token, self._base, self.timeout = token, api_base.rstrip("/"), timeout
        self._session, self._own_session = session, session is None

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def get_me(self) -> dict[str, Any]:
        return await self._call("getMe", {})

    async def get_updates(self, timeout: int = 30) -> dict[str, Any] | None:  # noqa: ASYNC109
        """One update, or None when nothing arrived within ``timeout`` seconds."""
        try:
            # Zalo reads the poll's timeout as a string.
            return await self._call("getUpdates", {"timeout": str(timeout)}, timeout + POLL_MARGIN)
        except ZaloError as error:
            if NOTHING_ARRIVED in (error.error_code, error.status) and not isinstance(
                error, ZaloNetworkError
            ):
                return None
            raise

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return await self._call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> dict[str, Any]:
        return await self._call("deleteWebhook", {})

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self._call("getWebhookInfo", {})

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        if not 1 <= (units := utf16_len(text)) <= TEXT_LIMIT:
            raise ValueError(f"Zalo text must be 1-{TEXT_LIMIT} UTF-16 units, not {units}")
        return await self._call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(
        self, chat_id: str, photo: str, caption: str | None = None
    ) -> dict[str, Any]:
        params = {"chat_id": chat_id, "photo": photo} | ({"caption": caption} if caption else {})
        return await self._call("sendPhoto", params, max(self.timeout, PHOTO_SECONDS))

    async def send_sticker(self, chat_id: str, sticker: str) -> dict[str, Any]:
        return await self._call("sendSticker", {"chat_id": chat_id, "sticker": sticker})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> dict[str, Any]:
        return await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def _call(
        self, method: str, params: dict[str, str], seconds: float | None = None
    ) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        total = seconds or self.timeout
        # A connect timeout shorter than the total one proves the request never left.
        timeout = aiohttp.ClientTimeout(total=total, connect=min(10.0, total / 2))
        url = f"{self._base}/bot{self._token}/{method}"
        failure: ZaloNetworkError
        try:
            async with self._session.post(url, json=params, timeout=timeout) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            never_left = isinstance(error, _NEVER_LEFT)
            detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            failure = ZaloNetworkError(method, self._redact(detail), maybe_delivered=not never_left)
        else:
            return _result(method, status, body)
        raise failure  # outside the except: no chained exception carrying the URL

    def _redact(self, text: str) -> str:
        for form in {self._token, quote(self._token)}:
            text = text.replace(form, "<token>")
        return text


def _result(method: str, status: int, body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body)
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict):
        raise ZaloError(method, f"HTTP {status}, not a Bot API answer", status=status)
    if status >= 400 or not envelope.get("ok"):
        code = envelope.get("error_code")
        description = str(envelope.get("description") or f"HTTP {status}")
        raise ZaloError(
            method, description, error_code=code if isinstance(code, int) else None, status=status
        )
    result = envelope.get("result")
    return result if isinstance(result, dict) else {}  # some methods may answer a bare true


@dataclass(frozen=True)
class ZaloUpdate:
    event_name: str  # message.text.received, message.image.received, ...
    message_id: str
    date_ms: int
    chat_id: str
    chat_type: str  # PRIVATE or GROUP; "" when the update does not say
    user_id: str
    display_name: str
    is_bot: bool
    text: str | None
    caption: str | None
    photo_url: str | None
    sticker: str | None


def parse_update(raw: object) -> ZaloUpdate | None:
    """Read an update, flat ``{event_name, message}`` (webhooks, getUpdates' result) or wrapped
    in ``{ok, result}`` (as Zalo's docs show webhooks); None for anything unreadable."""
    if isinstance(raw, dict) and "event_name" not in raw and raw.get("ok") is True:
        raw = raw.get("result")
    if not isinstance(raw, dict):
        return None
    event, message = raw.get("event_name"), raw.get("message")
    if not isinstance(event, str) or not isinstance(message, dict):
        return None
    chat, sender = message.get("chat"), message.get("from")
    if not isinstance(chat, dict) or not isinstance(sender, dict):
        return None
    message_id = _id(message.get("message_id"))
    chat_id, user_id = _id(chat.get("id")), _id(sender.get("id"))
    if not (message_id and chat_id and user_id):
        return None
    date = message.get("date")
    return ZaloUpdate(
        event_name=event,
        message_id=message_id,
        date_ms=date if isinstance(date, int) and not isinstance(date, bool) else 0,
        chat_id=chat_id,
        chat_type=_text(chat.get("chat_type")) or "",
        user_id=user_id,
        display_name=_name(sender),
        is_bot=sender.get("is_bot") is True,
        text=_text(message.get("text")),
        caption=_text(message.get("caption")),
        # Updates carry the image in photo_url though the docs say photo.
        photo_url=_text(message.get("photo_url")) or _text(message.get("photo")),
        sticker=_text(message.get("sticker")),
    )


def _id(value: object) -> str | None:
    """IDs are strings on Zalo; a number is accepted, a bool or an empty value is not."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _name(sender: dict[str, Any]) -> str:
    full = " ".join(n for k in ("first_name", "last_name") if (n := _text(sender.get(k))))
    for name in (sender.get("display_name"), sender.get("name"), full, sender.get("username")):
        if (text := _text(name)) and text.strip():
            return text.strip()
    return ""
