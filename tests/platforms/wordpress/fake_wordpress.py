"""A fake WordPress site's REST API on 127.0.0.1, behaving like the real one where the bot
depends on it: Basic auth with application passwords (revocable mid-run), media uploads as a
raw body with ``Content-Disposition`` (or multipart), tags and categories (search, create,
``term_exists``), posts created, updated and trashed, and the error shape
``{"code", "message", "data": {"status"}}``; faults (429, 5xx, hangs) on demand."""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.runtime.media import MediaFile
from storage.models import Media

Json = dict[str, Any]
USER, PASSWORD = "bantuyengiao", "abcd EFGH 1234 ijkl MNOP 5678"
DISPOSITION = re.compile(r'filename="?([^";]+)"?')
WP_TIME = "%Y-%m-%dT%H:%M:%S"  # date_gmt, as the REST API gives it (UTC, no offset)


@dataclass
class Fault:
    method: str
    path: str  # a prefix, e.g. "/posts"
    status: int
    code: str = "fault"
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0


def error(status: int, code: str, message: str, **data: Any) -> web.Response:
    return web.json_response(
        {"code": code, "message": message, "data": {"status": status, **data}}, status=status
    )


class FakeWordPress:
    def __init__(self) -> None:
        self.passwords = {USER: PASSWORD}
        self.posts: dict[int, Json] = {}
        self.media: dict[int, Json] = {}
        self.terms: dict[str, dict[int, str]] = {"tags": {}, "categories": {}}
        self.calls: list[tuple[str, str]] = []
        self.faults: list[Fault] = []
        self._ids = itertools.count(100)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Reading the site (``GET /posts``): posts per page of the answer, and the time given
        # to posts made without one (``date_gmt``).
        self.page_size = 10
        # Set, the next ``GET /posts`` is answered as the site was when it came, but only once
        # the event is set: a slow reading that others overlap.
        self.hold_list: asyncio.Event | None = None
        self.today = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 2**20)
        app.router.add_route("*", "/wp-json/wp/v2/{path:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def revoke(self) -> None:
        """The site's admin revokes the bot's application password."""
        self.passwords[USER] = "revoked"

    def restore(self) -> None:
        self.passwords[USER] = PASSWORD

    def fail_next(self, method: str, path: str, status: int, **kw: Any) -> None:
        self.faults.append(Fault(method, path, status, **kw))

    def published(self) -> list[Json]:
        return [p for p in self.posts.values() if p["status"] != "trash"]

    def tag_names(self, post: Json) -> list[str]:
        return [self.terms["tags"][i] for i in post["tags"]]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"].rstrip("/")
        self.calls.append((request.method, path))
        for fault in self.faults:
            if fault.method == request.method and path.startswith(fault.path):
                self.faults.remove(fault)
                if fault.hang:  # acted on at once, answered too late
                    response = await self._serve(request, path)
                    await asyncio.sleep(fault.hang)
                    return response
                response = error(fault.status, fault.code, "Fault injected")
                response.headers.update(fault.headers)
                return response
        if self.hold_list is not None and (request.method, path) == ("GET", "/posts"):
            held, self.hold_list = self.hold_list, None
            response = await self._serve(request, path)
            await held.wait()
            return response
        return await self._serve(request, path)

    async def _serve(self, request: web.Request, path: str) -> web.Response:
        user = self._user(request)
        if user is None:
            header = request.headers.get("Authorization", "")
            if header.startswith("Basic "):
                return error(
                    401,
                    "incorrect_password",
                    "The provided password is an invalid application password.",
                )
            code = "rest_cannot_create" if request.method != "GET" else "rest_not_logged_in"
            return error(401, code, "Sorry, you are not allowed to do that as this user.")
        if path == "/users/me":
            return web.json_response({"id": 1, "name": user, "slug": user})
        if path == "/media" and request.method == "POST":
            return await self._upload(request)
        if path in ("/tags", "/categories"):
            return await self._terms(request, path[1:])
        if path == "/posts" and request.method == "POST":
            return self._save(None, await request.json())
        if path == "/posts" and request.method == "GET":
            return self._list(request)
        match = re.fullmatch(r"/posts/(\d+)", path)
        if match:
            post_id = int(match.group(1))
            if post_id not in self.posts:
                return error(404, "rest_post_invalid_id", "Invalid post ID.")
            if request.method == "DELETE":
                return self._trash(post_id)
            return self._save(post_id, await request.json())
        return error(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    def _user(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        # WordPress ignores the spaces shown in an application password.
        known = self.passwords.get(user)
        return user if known and known.replace(" ", "") == password.replace(" ", "") else None

    async def _upload(self, request: web.Request) -> web.Response:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = form.get("file")
            if not isinstance(part, web.FileField):
                return error(400, "rest_upload_no_data", "No data supplied.")
            name, data, mime = part.filename, part.file.read(), part.content_type
        else:
            found = DISPOSITION.search(request.headers.get("Content-Disposition", ""))
            if found is None:
                return error(
                    400, "rest_upload_no_content_disposition", "No Content-Disposition supplied."
                )
            name, data, mime = found.group(1), await request.read(), request.content_type
        if not data:
            return error(400, "rest_upload_no_data", "No data supplied.")
        if not mime.startswith(("image/", "video/")):
            return error(
                400,
                "rest_upload_sideload_error",
                "Sorry, you are not allowed to upload this file type.",
            )
        media_id = next(self._ids)
        url = f"{self.base_url}/wp-content/uploads/{name}"
        self.media[media_id] = {"id": media_id, "source_url": url, "mime_type": mime, "data": data}
        return web.json_response(
            {k: v for k, v in self.media[media_id].items() if k != "data"}, status=201
        )

    async def _terms(self, request: web.Request, taxonomy: str) -> web.Response:
        terms = self.terms[taxonomy]
        if request.method == "GET":
            search = request.query.get("search", "").casefold()
            found = [{"id": i, "name": n} for i, n in terms.items() if search in n.casefold()]
            return web.json_response(found)
        name = str((await request.json()).get("name") or "").strip()
        if not name:
            return error(400, "rest_missing_callback_param", "Missing parameter(s): name")
        for term_id, existing in terms.items():
            if existing.casefold() == name.casefold():
                return error(
                    400,
                    "term_exists",
                    "A term with the name provided already exists.",
                    term_id=term_id,
                )
        term_id = next(self._ids)
        terms[term_id] = name
        return web.json_response({"id": term_id, "name": name}, status=201)

    def _save(self, post_id: int | None, body: Json) -> web.Response:
        post = dict(
            self.posts.get(post_id or 0) or {"status": "draft", "tags": [], "categories": []}
        )
        for key in ("title", "content", "status", "tags", "categories", "featured_media"):
            if key in body:
                post[key] = body[key]
        if post.get("status") not in ("publish", "draft", "pending", "private", "future"):
            return error(400, "rest_invalid_param", "Invalid parameter(s): status")
        featured = post.get("featured_media")
        if featured and featured not in self.media:
            return error(400, "rest_invalid_featured_media", "Invalid featured media ID.")
        for taxonomy in ("tags", "categories"):
            if any(i not in self.terms[taxonomy] for i in post[taxonomy]):
                return error(400, "rest_invalid_param", f"Invalid parameter(s): {taxonomy}")
        post["id"] = post_id or next(self._ids)
        post["link"] = f"{self.base_url}/?p={post['id']}"
        self.posts[post["id"]] = post
        return web.json_response(post, status=200 if post_id else 201)

    def site_post(self, title: str, content: str, at: datetime) -> Json:
        """A post the site's own editor wrote in WordPress, not through the bot."""
        post_id = next(self._ids)
        post: Json = {"id": post_id, "status": "publish", "tags": [], "categories": []}
        post |= {"title": title, "content": content, "date_gmt": at.strftime(WP_TIME)}
        post["link"] = f"{self.base_url}/?p={post_id}"
        self.posts[post_id] = post
        return post

    def _list(self, request: web.Request) -> web.Response:
        """``GET /posts?after=<ISO 8601>&per_page=n&page=k``: published posts, newest first,
        ``X-WP-Total`` and ``X-WP-TotalPages`` saying how many pages there are."""
        after = request.query.get("after")
        since = datetime.fromisoformat(after) if after else None
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        per_page = min(int(request.query.get("per_page", "10")), self.page_size)
        page = int(request.query.get("page", "1"))
        found = []
        for post in self.published():
            if post["status"] != "publish":
                continue
            at = post.setdefault("date_gmt", self.today.strftime(WP_TIME))
            if since is None or datetime.fromisoformat(at).replace(tzinfo=UTC) > since:
                found.append(post)
        found.sort(key=lambda post: post["date_gmt"], reverse=True)
        pages = max(1, -(-len(found) // per_page))
        if page > pages:
            return error(400, "rest_post_invalid_page_number", "The page number is too large.")
        shown = [
            {
                "id": post["id"],
                "link": post["link"],
                "date_gmt": post["date_gmt"],
                "title": {"rendered": _rendered(post.get("title"))},
                "content": {"rendered": _rendered(post.get("content"))},
            }
            for post in found[(page - 1) * per_page : page * per_page]
        ]
        headers = {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)}
        return web.json_response(shown, headers=headers)

    def _trash(self, post_id: int) -> web.Response:
        post = self.posts[post_id]
        if post["status"] == "trash":
            return error(410, "rest_already_trashed", "The post has already been deleted.")
        post["status"] = "trash"
        return web.json_response(post)


def _rendered(value: object) -> str:
    """A field as WordPress renders it: what was given, as HTML."""
    if isinstance(value, dict):
        return str(value.get("rendered") or value.get("raw") or "")
    return f"<p>{value}</p>" if value else ""


def png(seed: int) -> bytes:
    """A real 1x1 PNG whose one pixel depends on ``seed``."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = zlib.compress(bytes([0, seed % 256, 80, 160]))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


class Photos:
    """A media store for tests (``MediaSource``): real PNG bytes for each photo's ref."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def get(self, media: Media) -> MediaFile:
        self.asked.append(media.ref)
        return MediaFile(png(len(self.asked)), "image/png", f"{media.ref}.png", "photo", 1, 1)
