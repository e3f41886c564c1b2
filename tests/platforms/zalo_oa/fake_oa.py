"""A fake Zalo Official Account: the OA API (``/v3.0/oa/message/cs``, ``/v2.0/oa/upload/image``,
``/v2.0/oa/getoa``, ``/v2.0/article/create`` and ``/verify``) and OAuth v4
(``/v4/oa/access_token``) on 127.0.0.1, driving the real ``ZaloOAClient`` end to end.

It behaves as Zalo's SDKs and OA docs say the OA does: every answer is HTTP 200 with
``error`` (0 on success); the access token travels in the ``access_token`` header and a wrong
or expired one gets -216; a refresh needs the app secret in the ``secret_key`` header, answers
``expires_in`` as a string and spends its refresh token (a second use gets -14014); texts are
1-2,000 characters; a member who does not follow gets -213; consultation messages go free
within 48 hours of the member's last interaction, paid until 7 days (``paid`` counts them),
refused after (-230); articles are made asynchronously (``article/verify`` gives the id after
``article_polls`` asks). Events reach the bot's webhook signed with ``X-ZEvent-Signature``
(``mac=`` + SHA-256 of app id + body + timestamp + OA secret key) and are sent again until the
bot answers 2xx, as Zalo retries. Its clock is the bot's (``clock``), so tests move both."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from tests.fake_base import FakeServer
from tests.platforms.zalo_oa.fake_oauth import APP_ID, FakeOAuth
from tests.support.images import jpeg

OA_SECRET_KEY = "oa-secret-key-of-the-webhook"
RETRY_DELAY = 0.2
Json = dict[str, Any]


@dataclass
class OASent:
    """One consultation message the OA sent for the bot."""

    chat_id: str  # the member's user_id
    text: str | None
    attachment_id: str | None
    paid: bool  # sent between 48 hours and 7 days after the member's last interaction


@dataclass
class Article:
    token: str
    body: Json
    polls_left: int
    id: str = field(default_factory=lambda: secrets.token_hex(8))


def mac(raw: bytes, timestamp: str, secret: str = OA_SECRET_KEY) -> str:
    digest = hashlib.sha256(APP_ID.encode() + raw + timestamp.encode() + secret.encode())
    return f"mac={digest.hexdigest()}"


class FakeOA(FakeServer[OASent, str], FakeOAuth):
    queue_word = "undelivered"

    def __init__(self) -> None:
        FakeServer.__init__(self)
        FakeOAuth.__init__(self)
        self.webhook_url: str | None = None
        self.followers: set[str] = set()
        self.last_interaction: dict[str, datetime] = {}
        self.uploads: dict[str, bytes] = {}
        self.articles: dict[str, Article] = {}
        self.article_polls = 2
        self.faults: dict[str, list[int]] = {}  # path → error codes to answer next
        self.deliveries: list[tuple[str, int]] = []  # (event key, HTTP status of the bot)
        self.photos: dict[str, bytes] = {}
        self.fetched: list[str] = []  # cover photos Zalo downloaded
        self._deliver: asyncio.Task[None] | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024**2)
        app.router.add_post("/v4/oa/access_token", self._oauth)
        app.router.add_get("/v4/oa/permission", self._permission)
        app.router.add_get("/photos/{name}", self._photo)
        app.router.add_route("*", "/{tail:v[23].0/.*}", self._api)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._deliver = asyncio.create_task(self._deliver_loop())

    async def stop(self) -> None:
        if self._deliver is not None:
            self._deliver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliver
        await super().stop()

    # --- what members do ------------------------------------------------------------------------

    def event(self, name: str, user_id: str, **extra: Any) -> Json:
        """An event as Zalo sends it: ids and timestamp as strings."""
        stamp = str(int(self.clock().timestamp() * 1000))
        body: Json = {"app_id": APP_ID, "event_name": name, "timestamp": stamp}
        body |= {"user_id_by_app": f"app-{user_id}", "oa_id": "oa-1"}
        if name in ("follow", "unfollow"):
            body["follower"] = {"id": user_id}
        elif name.startswith("user_send_"):
            body |= {"sender": {"id": user_id}, "recipient": {"id": "oa-1"}}
        else:
            body["user_id"] = user_id
        return body | extra

    def push(self, event: Json) -> Json:
        """Queue ``event`` for the webhook (sent until the bot answers 2xx)."""
        found = event.get("sender", {}).get("id") or event.get("follower", {}).get("id")
        user = str(found or event.get("user_id"))
        if event["event_name"] == "follow":
            self.followers.add(user)
        elif event["event_name"] == "unfollow":
            self.followers.discard(user)
        if not str(event["event_name"]).startswith(("oa_", "user_received", "user_seen")):
            self.last_interaction[user] = self.clock()
        self._queue.append(event)
        self._notify()
        return event

    def push_text(self, user_id: str, text: str) -> Json:
        message = {"msg_id": secrets.token_hex(16), "text": text}
        return self.push(self.event("user_send_text", user_id, message=message))

    def push_photo(self, user_id: str, name: str = "anh.jpg") -> Json:
        url = self.photo_url(name)
        attachment = {"type": "image", "payload": {"url": url, "thumbnail": url}}
        message = {"msg_id": secrets.token_hex(16), "text": "", "attachments": [attachment]}
        return self.push(self.event("user_send_image", user_id, message=message))

    def follow(self, user_id: str) -> Json:
        return self.push(self.event("follow", user_id, source="oa_profile"))

    def photo_url(self, name: str) -> str:
        self.photos.setdefault(name, jpeg(shade=len(name) * 9 % 250))
        return f"{self.base_url}/photos/{name}"

    async def post(self, event: Json, *, signature: str | None = None) -> int:
        """POST ``event`` to the webhook once, now, signed (or with ``signature``)."""
        assert self.webhook_url is not None, "set webhook_url first"
        raw = json.dumps(event).encode()
        sign = mac(raw, str(event["timestamp"])) if signature is None else signature
        headers = {"Content-Type": "application/json", "X-ZEvent-Signature": sign}
        async with ClientSession() as http:
            try:
                async with http.post(
                    self.webhook_url, data=raw, headers=headers, timeout=ClientTimeout(total=10)
                ) as response:
                    return response.status
            except (ClientError, TimeoutError):
                return 0

    async def _deliver_loop(self) -> None:
        while True:
            wake = self._pushed
            if not self._queue or self.webhook_url is None:
                await wake.wait()
                continue
            event = self._queue[0]
            status = await self.post(event)
            self.deliveries.append((str(event.get("event_name")), status))
            if 200 <= status < 300:
                self._queue.pop(0)
            else:
                await asyncio.sleep(RETRY_DELAY)

    # --- observing ------------------------------------------------------------------------------

    def _shown(self, sent: OASent) -> str:
        return sent.text or f"[image {sent.attachment_id}]"

    def messages(self, user_id: str) -> list[OASent]:
        return [s for s in self.sent if s.chat_id == user_id]

    def fail_next(self, path: str, *codes: int) -> None:
        """Answer the next calls of ``path`` (e.g. "v3.0/oa/message/cs") with these errors."""
        self.faults.setdefault(path, []).extend(codes)

    # --- the OA API -----------------------------------------------------------------------------

    async def _photo(self, request: web.Request) -> web.Response:
        data = self.photos.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound
        return web.Response(body=data, content_type="image/jpeg")

    async def _api(self, request: web.Request) -> web.Response:
        path = request.path.lstrip("/")
        self._inflight += 1
        try:
            token = request.headers.get("access_token", "")
            end = self.access.get(token)
            if end is None or end <= self.clock():
                return _error(-216, "Access token is invalid")
            if self.faults.get(path):
                return _error(self.faults[path].pop(0), "Injected error")
            handler = {
                "v2.0/oa/getoa": self._getoa,
                "v3.0/oa/message/cs": self._cs,
                "v2.0/oa/upload/image": self._upload,
                "v2.0/article/create": self._create,
                "v2.0/article/verify": self._verify,
            }.get(path)
            if handler is None:
                return _error(-201, f"Unknown endpoint {path}")
            return await handler(request)
        finally:
            self._inflight -= 1
            self._touched()

    async def _getoa(self, request: web.Request) -> web.Response:
        return _ok({"oa_id": "oa-1", "name": "Đoàn phường An Lạc"})

    async def _cs(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = str(body.get("recipient", {}).get("user_id", ""))
        message = body.get("message") or {}
        if user not in self.followers:
            return _error(-213, "User has not followed OA")
        last = self.last_interaction.get(user)
        age = self.clock() - last if last else timedelta(days=365)
        if age > timedelta(days=7):
            return _error(-230, "User has not interacted with the OA in the last 7 days")
        text = message.get("text")
        attachment = message.get("attachment")
        attachment_id = None
        if attachment is not None:
            element = attachment["payload"]["elements"][0]
            attachment_id = element.get("attachment_id")
            if attachment_id not in self.uploads:
                return _error(-201, "attachment_id is invalid")
        elif not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(-201, "text must be 1-2000 characters")
        self.sent.append(OASent(user, text, attachment_id, paid=age > timedelta(hours=48)))
        return _ok({"message_id": secrets.token_hex(16), "user_id": user})

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        file = form.get("file")
        if not isinstance(file, web.FileField):
            return _error(-201, "file is missing")
        attachment = base64.urlsafe_b64encode(secrets.token_bytes(24)).decode()
        self.uploads[attachment] = file.file.read()
        return _ok({"attachment_id": attachment})

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        wrong = (
            body.get("type") != "normal"
            or not 1 <= len(body.get("title", "")) <= 150
            or not 1 <= len(body.get("description", "")) <= 300
            or not body.get("body")
            or any(item.get("type") not in ("text", "image") for item in body["body"])
            or body.get("status") not in ("show", "hide")
        )
        if wrong:
            return _error(-201, "Article is invalid")
        cover = body.get("cover")
        if cover is not None and not await self._reachable(str(cover.get("photo_url", ""))):
            return _error(-201, "Cover photo cannot be downloaded")  # Zalo fetches it
        article = Article(secrets.token_urlsafe(16), body, self.article_polls)
        self.articles[article.token] = article
        return _ok({"token": article.token})

    async def _reachable(self, url: str) -> bool:
        self.fetched.append(url)
        try:
            async with (
                ClientSession() as http,
                http.get(url, timeout=ClientTimeout(total=10)) as got,
            ):
                return got.status == 200 and (await got.read())[:3] == b"\xff\xd8\xff"
        except (ClientError, TimeoutError):
            return False

    async def _verify(self, request: web.Request) -> web.Response:
        article = self.articles.get(str((await request.json()).get("token", "")))
        if article is None:
            return _error(-201, "Token is invalid")
        if article.polls_left > 0:
            article.polls_left -= 1
            return _ok({})  # still being made
        return _ok({"id": article.id})

    def published(self) -> list[Article]:
        return [a for a in self.articles.values() if a.polls_left == 0]


def _ok(data: Json) -> web.Response:
    return web.json_response({"error": 0, "message": "Success", "data": data})


def _error(code: int, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message})
