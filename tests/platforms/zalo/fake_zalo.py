"""A fake Zalo Bot API server for driving the real ``ZaloClient`` end to end.

Connect with ``ZaloClient(ZALO_TOKEN, api_base=fake.base_url)``. It keeps the Zalo facts of
DESIGN.md: JSON POSTs, the ``{ok, result, error_code, description}`` envelope, getUpdates
returning ONE update (no offset) or, when the poll's ``timeout`` (a string) runs out, HTTP
408 with ``{"ok": false, "description": "Request timeout"}`` and no error_code, as live bots
report (``empty_poll = "body"``: HTTP 200 with error_code 408, as the docs say), no polling
while a webhook is set, plain text of 1-2000 UTF-16 units, photos by URL, string IDs, webhook
deliveries with ``X-Bot-Api-Secret-Token`` re-sent until answered 2xx. As third parties report
of the free plan: ``quota_after = N`` refuses every send past N messages until
``reset_quota()`` (the real error is undocumented: ``QUOTA_ERROR`` is our guess). Photo URLs
are served by the fake (``photo_url``) and can die (``kill_photo``); sendPhoto fetches the URL it
is given before it answers, as Zalo does, and refuses one it cannot get.

Zalo does not document which HTTP status goes with an error: the fake answers HTTP 200 with
``ok: false``, the case where only the envelope tells (``fail_next(http_status=...)`` for more).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal, TypedDict, Unpack

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from tests.fake_base import FakeServer
from tests.fake_base import Unset as _Unset
from tests.support.images import jpeg

ZALO_TOKEN = "zalo-test-token-1234567890"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_RETRY_DELAY = 0.2
DEFAULT_POLL = "30"  # seconds, when getUpdates names no timeout
TEXT_LIMIT = 2000
NOTHING_ARRIVED = 408
QUOTA_ERROR = (403, "Forbidden: the bot has exceeded its monthly message quota")
SENDS = ("sendMessage", "sendPhoto", "sendSticker")
CHAT_ACTIONS = ("typing", "upload_photo")

Json = dict[str, Any]


@dataclass
class ZaloSent:
    """One message the bot sent."""

    method: str
    chat_id: str
    message_id: str
    text: str | None  # verbatim: Zalo has no parse_mode
    photo: str | None  # the URL
    caption: str | None
    sticker: str | None
    raw: Json  # the request params


class Push(TypedDict, total=False):
    """Options of the push_* helpers."""

    display_name: str  # "Hà" unless given
    chat_id: str | None  # defaults to the user's id: a private chat's id is the user's
    chat_type: str  # "PRIVATE" or "GROUP"
    message_id: str | None  # a random hex string unless given
    wrapped: bool  # deliver to the webhook as {ok, result} instead of flat


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def _bad(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class _Fault:
    method: str
    remaining: int
    error_code: int = 0
    description: str = ""
    http_status: int = 200
    seconds: float = 0.0


def _take(faults: list[_Fault], method: str) -> _Fault | None:
    for fault in faults:
        if fault.method == method:
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.remove(fault)
            return fault
    return None


@dataclass
class _Pending:
    update: Json
    wrapped: bool


async def _read_params(request: web.Request) -> Json:
    if not request.can_read_body:
        return dict(request.query)
    try:
        body = await request.json()
    except ValueError:
        raise _bad("the body is not JSON") from None
    if not isinstance(body, dict):
        raise _bad("the body is not a JSON object")
    return dict(request.query) | body


class FakeZalo(FakeServer[ZaloSent, str]):
    def __init__(self, token: str = ZALO_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.errors: list[tuple[str, int, str]] = []  # (method, error_code, description)
        self.calls: list[tuple[str, Json]] = []
        self.webhook: Json | None = None  # {"url", "secret_token", "updated_at"}
        self.webhook_wrapped = False  # deliver every update as {ok, result}, as the docs show
        self.chats: dict[str, str] = {}  # chat id -> chat_type: the chats the bot may write to
        self._api: dict[str, Callable[[Json], Awaitable[Any]]] = {
            name[4:]: getattr(self, name) for name in dir(self) if name.startswith("api_")
        }
        self._queue: list[_Pending] = []
        self._faults: list[_Fault] = []
        self._hangs: list[_Fault] = []
        self.empty_poll: Literal["http", "body"] = "http"  # how an empty poll is answered
        self.quota_after: int | None = None  # refuse sends once len(sent) reaches it
        self.poll_wait: float | None = None  # cap on a poll's wait: 0 answers empty at once
        self.poll_times: list[float] = []  # when each getUpdates arrived (time.monotonic)
        self._garbage: list[tuple[str, int, bytes]] = []  # (method, HTTP status, body)
        # Photos as Zalo's CDN serves them to the bot: /photos/<name>; a killed one answers 404.
        self.photos: dict[str, bytes] = {}
        self.photo_fetches: list[str] = []  # URLs sendPhoto fetched, as Zalo does

    # --- feeding updates ------------------------------------------------------------------------

    def push_text(self, user_id: str, text: str, **kw: Unpack[Push]) -> Json:
        return self._push("message.text.received", user_id, {"text": text}, kw)

    def push_photo(
        self,
        user_id: str,
        url: str,
        *,
        caption: str | None = None,
        use_field: Literal["photo_url", "photo"] = "photo_url",  # updates use photo_url
        **kw: Unpack[Push],
    ) -> Json:
        content = {use_field: url} | ({"caption": caption} if caption is not None else {})
        return self._push("message.image.received", user_id, content, kw)

    def photo_url(self, name: str = "anh.jpg", data: bytes | None = None) -> str:
        """A photo URL like those in Zalo's image updates, served by this fake."""
        self.photos.setdefault(name, data if data is not None else jpeg())
        return f"{self.base_url}/photos/{name}"

    def kill_photo(self, url: str) -> None:
        """The photo's URL stops working (its lifetime is undocumented)."""
        self.photos.pop(url.rpartition("/photos/")[2], None)

    async def _not_found(self, request: web.Request) -> web.Response:
        if request.method == "GET" and request.path.startswith("/photos/"):
            data = self.photos.get(request.path.removeprefix("/photos/"))
            if data is not None:
                return web.Response(body=data, content_type="image/jpeg")
        return await super()._not_found(request)

    def push_sticker(self, user_id: str, sticker: str = "a1b2c3d4", **kw: Unpack[Push]) -> Json:
        return self._push("message.sticker.received", user_id, {"sticker": sticker}, kw)

    def push_voice(self, user_id: str, **kw: Unpack[Push]) -> Json:
        return self._push(
            "message.voice.received", user_id, {"voice_url": "https://v.zdn.vn/a.aac"}, kw
        )

    def push_event(self, event: str, user_id: str, **kw: Unpack[Push]) -> Json:
        """An event our docs do not name (Zalo adds kinds without notice)."""
        return self._push(event, user_id, {}, kw)

    def push_group_text(self, user_id: str, group_id: str, text: str, **kw: Unpack[Push]) -> Json:
        """A message in a group; the bot sees it only when it mentions the bot, e.g. "@Tin Tốt
        /toi" (groups are in beta)."""
        kw = kw | {"chat_id": group_id, "chat_type": "GROUP"}
        return self._push("message.text.received", user_id, {"text": text}, kw)

    def answer_polls_at_once(self) -> None:
        """Answer every idle poll empty at once, the one waiting now included."""
        self.poll_wait = 0
        self._notify()

    def reset_quota(self) -> None:
        """A new month, or a bigger plan: sends are accepted again."""
        self.quota_after = None

    def garbage_next(self, method: str, *, status: int = 502, body: bytes | None = None) -> None:
        """Answer the next call with something that is not the Bot API (a proxy's error page)."""
        page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self._garbage.append((method, status, page if body is None else body))

    def push_unsupported(self, user_id: str, **kw: Unpack[Push]) -> Json:
        return self._push("message.unsupported.received", user_id, {}, kw)

    def push_update(self, update: Json, *, wrapped: bool = False) -> None:
        """Deliver an update verbatim, e.g. again, as Zalo may."""
        self._enqueue(update, wrapped)

    def add_chat(self, chat_id: str, chat_type: str = "GROUP") -> None:
        """Let the bot write to a chat no update came from (e.g. a group it publishes to)."""
        self.chats[chat_id] = chat_type

    # --- observing ------------------------------------------------------------------------------

    def _shown(self, sent: ZaloSent) -> str:
        return sent.text or sent.caption or ""

    def messages(self, chat_id: str) -> list[ZaloSent]:
        return [sent for sent in self.sent if sent.chat_id == chat_id]

    # --- faults ---------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 500,
        description: str | None = None,
        http_status: int = 200,
        count: int = 1,
    ) -> None:
        if description is None:
            try:
                description = HTTPStatus(error_code).phrase
            except ValueError:
                description = "Error"
        self._faults.append(_Fault(method, count, error_code, description, http_status))

    def heal(self) -> None:
        """Every fault still waiting is forgotten: the API is back."""
        self._faults.clear()

    def hang_next(self, method: str, seconds: float, *, count: int = 1) -> None:
        """The call is still carried out afterwards, as when a client gives up waiting."""
        self._hangs.append(_Fault(method, count, seconds=seconds))

    async def post_webhook(
        self,
        update: Json,
        *,
        secret: str | Literal[_Unset.SECRET] | None = _Unset.SECRET,
        wrapped: bool = False,
    ) -> int:
        """POST one update to the webhook now (the set secret unless given); its HTTP status."""
        assert self.webhook is not None, "no webhook is set"
        header = self.webhook["secret_token"] if secret is _Unset.SECRET else secret
        async with ClientSession() as http:
            return await self._post(http, update, header, wrapped)

    # --- HTTP plumbing --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        counted = method != "getUpdates"  # a waiting long poll is not work in progress
        self._inflight += counted
        http_status = 200
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params = await _read_params(request)
            self.calls.append((method, params))
            if method == "getUpdates":
                self.poll_times.append(time.monotonic())
            self._touched()  # a call seen (a long poll that will wait too) wakes until()
            for index, (name, status, page) in enumerate(self._garbage):
                if name == method:
                    del self._garbage[index]
                    return web.Response(status=status, body=page, content_type="text/html")
            if method in SENDS and len(self.sent) >= (self.quota_after or len(self.sent) + 1):
                raise ApiError(*QUOTA_ERROR)
            api = self._api.get(method)
            if api is None:
                raise ApiError(404, "Not Found")
            if hang := _take(self._hangs, method):
                await asyncio.sleep(hang.seconds)
            if fault := _take(self._faults, method):
                http_status = fault.http_status
                raise ApiError(fault.error_code, fault.description)
            if method == "getUpdates":  # to see a poller that went away
                params = params | {"_request": request}
            result = await api(params)
        except ApiError as error:
            if error.code != NOTHING_ARRIVED:  # an empty poll is the normal answer, no error
                self.errors.append((method, error.code, error.description))
            elif method == "getUpdates" and self.empty_poll == "http":
                body = {"ok": False, "description": error.description}  # no error_code
                return web.json_response(body, status=NOTHING_ARRIVED)
            body = {"ok": False, "error_code": error.code, "description": error.description}
            return web.json_response(body, status=http_status)
        finally:
            self._inflight -= counted
            self._touched()
        return web.json_response({"ok": True, "result": result})

    def _enqueue(self, update: Json, wrapped: bool) -> None:
        self._queue.append(_Pending(copy.deepcopy(update), wrapped))
        self._notify()

    def _push(self, event: str, user_id: str, content: Json, kw: Push) -> Json:
        chat_id = kw.get("chat_id") or user_id
        chat_type = kw.get("chat_type", "PRIVATE")
        self.chats[chat_id] = chat_type
        sender = {"id": user_id, "display_name": kw.get("display_name", "Hà"), "is_bot": False}
        message = {
            "message_id": kw.get("message_id") or secrets.token_hex(16),
            "date": _now_ms(),
            "chat": {"id": chat_id, "chat_type": chat_type},
            "from": sender,
        }
        update = {"event_name": event, "message": message | content}
        self._enqueue(update, kw.get("wrapped", False))
        return update

    async def _webhook_loop(self) -> None:
        async with ClientSession() as http:
            while (hook := self.webhook) is not None:
                wake = self._pushed
                if not self._queue:
                    await wake.wait()
                    continue
                pending = self._queue[0]
                wrapped = pending.wrapped or self.webhook_wrapped
                status = await self._post(http, pending.update, hook["secret_token"], wrapped)
                if not 200 <= status < 300:
                    await asyncio.sleep(WEBHOOK_RETRY_DELAY)
                elif self._queue and self._queue[0] is pending:
                    self._queue.pop(0)

    async def _post(
        self, http: ClientSession, update: Json, secret: str | None, wrapped: bool
    ) -> int:
        """POST one update to the webhook; 0 stands for a connection error."""
        assert self.webhook is not None
        body = {"ok": True, "result": update} if wrapped else update
        headers = {SECRET_HEADER: secret} if secret else {}
        timeout = ClientTimeout(total=30)
        try:
            async with http.post(
                self.webhook["url"], json=body, headers=headers, timeout=timeout
            ) as response:
                return response.status
        except (ClientError, TimeoutError):
            return 0

    # --- model ----------------------------------------------------------------------------------

    def _chat(self, params: Json) -> str:
        """The chat a request targets: a string id of a chat that wrote to the bot."""
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise _bad("chat_id must be a non-empty string")
        if chat_id not in self.chats:
            raise _bad("chat not found")
        return chat_id

    def _record(self, method: str, chat_id: str, params: Json, **content: str | None) -> Json:
        message_id = secrets.token_hex(16)
        sent = ZaloSent(
            method,
            chat_id,
            message_id,
            text=content.get("text"),
            photo=content.get("photo"),
            caption=content.get("caption"),
            sticker=content.get("sticker"),
            raw=params,
        )
        self.sent.append(sent)
        return {"message_id": message_id, "date": _now_ms()}

    # --- Bot API methods: api_<name>, matched exactly -------------------------------------------

    async def api_getMe(self, p: Json) -> Json:
        return {"id": "2468013579", "account_name": "bot.tintot", "account_type": "BASIC",
                "can_join_groups": True}  # fmt: skip

    async def api_getUpdates(self, p: Json) -> Json:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: getUpdates is not available while a webhook is set")
        seconds = p.get("timeout", DEFAULT_POLL)
        if not isinstance(seconds, str) or not seconds.isdecimal():
            raise _bad("timeout must be a string of seconds")
        started = time.monotonic()
        request = p.get("_request")
        while True:
            wake = self._pushed
            transport = request.transport if isinstance(request, web.Request) else None
            if isinstance(request, web.Request) and (transport is None or transport.is_closing()):
                # The poller is gone (a restart): keep the update for the next one rather than
                # write it into a closed connection.
                raise ApiError(NOTHING_ARRIVED, "Request timeout")
            if self._queue:
                return self._queue.pop(0).update  # no offset: an update is delivered once
            wait = int(seconds) if self.poll_wait is None else min(int(seconds), self.poll_wait)
            left = started + wait - time.monotonic()  # poll_wait may change mid-poll
            if left <= 0 or self._closing or self.webhook is not None:
                raise ApiError(NOTHING_ARRIVED, "Request timeout")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), left)

    async def api_setWebhook(self, p: Json) -> Json:
        url, secret = p.get("url"), p.get("secret_token")
        # Zalo wants HTTPS; plain http is allowed here for local receivers.
        if not isinstance(url, str) or not re.match(r"https?://\S", url):
            raise _bad("url must be an HTTPS URL")
        if not isinstance(secret, str) or not secret:
            raise _bad("secret_token is required")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": _now_ms()}
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._webhook_loop())
        self._notify()
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def api_deleteWebhook(self, p: Json) -> Json:
        url = self.webhook["url"] if self.webhook else ""
        self.webhook = None
        self._notify()
        return {"url": url, "updated_at": _now_ms()}

    async def api_getWebhookInfo(self, p: Json) -> Json:
        hook = self.webhook or {}
        return {"url": hook.get("url", ""), "updated_at": hook.get("updated_at", 0)}

    async def api_sendMessage(self, p: Json) -> Json:
        chat_id, text = self._chat(p), p.get("text")
        if not isinstance(text, str) or not text:
            raise _bad("text is empty")
        if _utf16(text) > TEXT_LIMIT:  # the unit is undocumented: the strictest one
            raise _bad(f"text is longer than {TEXT_LIMIT} characters")
        return self._record("sendMessage", chat_id, p, text=text)

    async def api_sendPhoto(self, p: Json) -> Json:
        chat_id, photo, caption = self._chat(p), p.get("photo"), p.get("caption")
        if not isinstance(photo, str) or not re.match(r"https?://\S", photo):
            raise _bad("photo must be a URL")
        if caption is not None and not isinstance(caption, str):
            raise _bad("caption must be a string")
        await self._fetch_photo(photo)
        return self._record("sendPhoto", chat_id, p, photo=photo, caption=caption)

    async def _fetch_photo(self, url: str) -> None:
        """Zalo fetches the photo before it answers; one it cannot get is refused (the real
        error is undocumented: this one is our guess)."""
        self.photo_fetches.append(url)
        try:
            async with (
                ClientSession(timeout=ClientTimeout(total=10)) as http,
                http.get(url) as response,
            ):
                data = await response.read()
                ok = response.status == 200 and response.content_type.startswith("image/")
        except (ClientError, TimeoutError):
            ok, data = False, b""
        if not ok or not data:
            raise _bad("photo url is invalid or cannot be downloaded")

    async def api_sendSticker(self, p: Json) -> Json:
        chat_id, sticker = self._chat(p), p.get("sticker")
        if not isinstance(sticker, str) or not sticker:
            raise _bad("sticker is required")
        return self._record("sendSticker", chat_id, p, sticker=sticker)

    async def api_sendChatAction(self, p: Json) -> bool:
        self._chat(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise _bad(f"action must be one of {', '.join(CHAT_ACTIONS)}")
        return True
