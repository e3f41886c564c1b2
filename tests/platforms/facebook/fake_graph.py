"""A fake Facebook Graph API on 127.0.0.1 for driving the real ``GraphClient`` end to end.

Point ``FACEBOOK_GRAPH_BASE`` at ``fake.base`` (``<url>/v26.0``). It keeps the Graph API facts
the client relies on (developers.facebook.com/docs/graph-api): the page token in the
``Authorization: Bearer`` header or an ``access_token`` field; ``POST /{page}/feed`` needs
``message`` or ``attached_media[n]`` (unpublished photos of that page); ``/{page}/photos``
needs ``source`` (multipart bytes of an image) or ``url``, and with ``published=false`` makes
no post; ``/{page}/videos`` needs ``source`` or ``file_url``; ``GET /{id}?fields=...``;
``POST /{post}`` with ``message`` edits; ``DELETE /{post}``. Errors come as
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`` with the HTTP status
Facebook uses; ``fail_next`` queues any of them (or 429/5xx), ``expire`` kills a token mid-run
(code 190, subcode 463), ``drop_next`` does what was asked and then hangs up unanswered."""

from __future__ import annotations

import itertools
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web

VERSION = "v26.0"
Json = dict[str, Any]
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


# The page and its token most tests publish to.
PAGE, TOKEN = "104857600123456", "EAAGfaketoken0123456789abcdef"


@dataclass
class Post:
    id: str
    page: str
    message: str | None
    photos: list[bytes] = field(default_factory=list)
    video: bytes | None = None
    deleted: bool = False
    edits: int = 0


@dataclass
class Fault:
    status: int
    code: int | None
    message: str
    subcode: int | None = None
    kind: str = "OAuthException"
    on: str = ""  # only a request whose path contains this


class FakeGraph:
    def __init__(self, pages: dict[str, str]) -> None:
        self.tokens = dict(pages)  # page id → its valid token
        self.posts: dict[str, Post] = {}
        self.unpublished: dict[str, tuple[str, bytes]] = {}  # photo id → (page, bytes)
        self.calls: list[tuple[str, str]] = []  # (method, path) of every request
        self.urls: list[str] = []  # every url= a client asked Facebook to fetch
        self.faults: list[Fault] = []
        self.drops = 0
        self._ids = itertools.count(10_000)
        self._runner: web.AppRunner | None = None
        # Reading pages (``GET /{page}/posts``, ``GET /{page}?fields=followers_count,...``):
        # when each post was made, each page's audience, how many posts a page of the answer
        # holds (``paging.next`` follows), and the time given to posts made without one.
        self.times: dict[str, datetime] = {}
        self.audience: dict[str, tuple[int, int]] = {}
        self.page_size = 25
        self.today = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)

    # --- driving ------------------------------------------------------------------------------

    def fail_next(self, status: int, code: int | None, message: str, **kw: Any) -> None:
        self.faults.append(Fault(status, code, message, **kw))

    def expire(self, page: str) -> None:
        """The page's token stops working, as when an admin changes their password."""
        self.tokens[page] = "expired:" + secrets.token_hex(4)

    def renew(self, page: str, token: str) -> None:
        self.tokens[page] = token

    def drop_next(self) -> None:
        self.drops += 1

    def live(self, page: str) -> list[Post]:
        return [p for p in self.posts.values() if p.page == page and not p.deleted]

    # --- serving ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024**2)
        app.router.add_route("*", f"/{VERSION}/{{path:.*}}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        assert self._runner is not None, "call start() first"
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}/{VERSION}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"].strip("/")
        self.calls.append((request.method, path))
        form, files = await _read(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = token or form.get("access_token") or request.query.get("access_token", "")
        for fault in self.faults:
            if fault.on in path:
                self.faults.remove(fault)
                return _error(fault.status, fault.code, fault.message, fault.subcode, fault.kind)
        try:
            answer = self._answer(request.method, path, token, form, files, request.query)
        except _Refused as refused:
            return _error(*refused.args)
        if self.drops:  # done, but the answer never comes back
            self.drops -= 1
            assert request.transport is not None
            request.transport.close()
        return web.json_response(answer)

    def _answer(
        self,
        method: str,
        path: str,
        token: str,
        form: dict[str, str],
        files: dict[str, bytes],
        query: Any,
    ) -> Json:
        page, _, edge = path.partition("/")
        owner = page.split("_")[0] if page not in self.tokens else page
        post = self.posts.get(page)
        if post is not None:
            owner = post.page
        if owner not in self.tokens or not token:
            raise _Refused(400, 100, "Unsupported request: object does not exist", 33)
        if self.tokens[owner] != token:
            message = "Error validating access token: The session has been invalidated"
            raise _Refused(400, 190, message, 463)
        if method == "GET" and edge == "posts" and post is None:
            return self._feed(page, query)
        if method == "GET" and "followers_count" in query.get("fields", "") and post is None:
            followers, fans = self.audience.get(page, (0, 0))
            return {"id": page, "followers_count": followers, "fan_count": fans}
        if method == "GET":
            return self._get(page, post, query.get("fields", ""))
        if method == "DELETE" and post and not edge:
            post.deleted = True
            return {"success": True}
        if method != "POST":
            raise _Refused(400, 100, "Unsupported request method")
        if post is not None:  # an edit
            if "message" not in form and "description" not in form:
                raise _Refused(400, 100, "(#100) Nothing to update")
            post.message, post.edits = form.get("message", form.get("description")), post.edits + 1
            return {"success": True}
        return self._create(page, edge, form, files)

    def _get(self, page: str, post: Post | None, fields: str) -> Json:
        if post is not None:
            return {"id": post.id, "permalink_url": f"https://www.facebook.com/{post.id}"}
        return {"id": page, "name": f"Trang {page}"}

    def _create(self, page: str, edge: str, form: dict[str, str], files: dict[str, bytes]) -> Json:
        new = f"{next(self._ids)}"
        if edge == "feed":
            attached = [json.loads(v)["media_fbid"] for k, v in form.items() if "attached" in k]
            if not form.get("message") and not attached:
                raise _Refused(400, 100, "(#100) Missing message or attachment")
            photos = []
            for fbid in attached:
                owner, data = self.unpublished.pop(fbid, (None, b""))
                if owner != page:
                    raise _Refused(400, 100, f"(#100) attached_media {fbid} is not usable")
                photos.append(data)
            return {"id": self._post(page, new, form.get("message"), photos=photos).id}
        if edge == "photos":
            if "url" in form:
                # Facebook would fetch it; this bot must never hand over a URL (a Telegram one
                # holds the token): recorded for the tests, and refused.
                self.urls.append(form["url"])
                raise _Refused(400, 324, "(#324) Requires upload file")
            image = files.get("source")
            if image is None:
                raise _Refused(400, 324, "(#324) Requires upload file")
            if not image.startswith(IMAGE_MAGIC):
                raise _Refused(400, 100, "(#100) Invalid image")
            if form.get("published") == "false":
                self.unpublished[new] = (page, image)
                return {"id": new}
            return {"id": new, "post_id": self._post(page, new, form.get("caption"), [image]).id}
        if edge == "videos":
            clip = files.get("source")
            if clip is None or b"ftyp" not in clip[:12]:
                raise _Refused(400, 6000, "There was a problem uploading your video file")
            return {"id": self._video(page, new, form.get("description"), clip).id}
        raise _Refused(400, 100, f"Unknown edge {edge}")

    def _post(self, page: str, new: str, message: str | None, photos: list[bytes]) -> Post:
        post = Post(f"{page}_{new}", page, message, photos=photos)
        self.posts[post.id] = post
        return post

    def _video(self, page: str, new: str, message: str | None, data: bytes) -> Post:
        post = Post(new, page, message, video=data)
        self.posts[post.id] = post
        return post

    # --- reading pages: a page's own posts, its feed with paging, its audience ---------------

    def page_post(self, page: str, message: str | None, at: datetime) -> Post:
        """A post the page's own admin made on Facebook, not through the bot."""
        post = Post(f"{page}_{next(self._ids)}", page, message)
        self.posts[post.id] = post
        self.times[post.id] = at
        return post

    def _feed(self, page: str, query: Any) -> Json:
        """``GET /{page}/posts?fields=...&since=<unix>&limit=n[&after=<cursor>]``: newest first,
        deleted posts gone, ``paging.next`` while more remain (the cursor is an offset here)."""
        since = int(query.get("since", "0") or 0)
        limit = int(query.get("limit", str(self.page_size)) or self.page_size)
        limit = min(limit, self.page_size)
        offset = int(query.get("after", "0") or 0)
        posts = []
        for post in self.live(page):
            at = self.times.setdefault(post.id, self.today)
            if at.timestamp() >= since:
                posts.append((at, post))
        posts.sort(key=lambda pair: pair[0], reverse=True)
        data = [
            {
                "id": post.id,
                "created_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink_url": f"https://www.facebook.com/{post.id}",
                **({"message": post.message} if post.message else {}),
            }
            for at, post in posts[offset : offset + limit]
        ]
        answer: Json = {"data": data}
        if offset + limit < len(posts):
            fields = query.get("fields", "")
            answer["paging"] = {
                "cursors": {"after": str(offset + limit)},
                "next": f"{self.base}/{page}/posts?fields={fields}&since={since}&limit={limit}"
                f"&after={offset + limit}",
            }
        return answer


class _Refused(Exception):
    pass


def _error(
    status: int, code: int | None, message: str, subcode: int | None = None, kind: str = ""
) -> web.Response:
    body: Json = {"message": message, "type": kind or "OAuthException", "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    body["fbtrace_id"] = "A" + secrets.token_hex(5)
    return web.json_response({"error": body}, status=status)


async def _read(request: web.Request) -> tuple[dict[str, str], dict[str, bytes]]:
    form: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader), "a nested multipart"
            data = await part.read()
            name = part.name or ""
            if part.filename:
                files[name] = bytes(data)
            else:
                form[name] = bytes(data).decode()
    elif request.can_read_body:
        form = {k: str(v) for k, v in (await request.post()).items()}
    return form, files
