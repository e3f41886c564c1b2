"""The archive's routes: ``/`` (latest, filtered, searched; paged), ``/tin/<number>`` (one item,
with Open Graph tags: https://ogp.me/), ``/feed.atom`` (RFC 4287) and its stylesheet. Only
what was published and is still up: a taken-down item answers 410 Gone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.app import App
from bot.web.archive import load, pages
from bot.web.hooks import WEBHOOKS
from bot.web.safe import finalize
from bot.web.where import address as server_address
from handlers.engine.texts import TEMPLATES, platform_label
from storage import archive, units

PER_PAGE = 20
FEED_SIZE = 50
STATIC = Path(__file__).resolve().parents[1] / "static"
ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES / "web"),
    autoescape=True,  # every value a visitor or member typed is escaped
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=finalize,
)
ENV.globals.update(  # labels of stored codes, for every page and the feed
    KINDS={"tin_tot": "Tin tốt", "cau_chuyen_dep": "Câu chuyện đẹp"},
    platform_label=platform_label,  # templates/platforms/<name>/names.j2
)
HTML = "text/html"
ANY_HOST = ("0.0.0.0", "::", "")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_archive_routes(web_app: web.Application, app: App) -> None:
    archive_app = Archive(app)
    web_app.router.add_get("/", archive_app.served(archive_app.index))
    web_app.router.add_get("/tin/{number}", archive_app.served(archive_app.item))
    web_app.router.add_get("/feed.atom", archive_app.served(archive_app.feed))
    web_app.router.add_get("/static/archive.css", archive_app.css)
    web_app.middlewares.append(archive_app.unknown)


def _page(name: str, status: int = 200, **context: Any) -> web.Response:
    body = ENV.get_template(name).render(**context)
    return web.Response(text=body, content_type=HTML, charset="utf-8", status=status)


class Archive:
    def __init__(self, app: App) -> None:
        self.app = app
        self.deps = app.core.deps
        self.gate, self.cache = load.Gate(), load.PageCache()

    def served(self, build: Handler) -> Handler:
        """``build`` behind the gate (503 when no turn comes in time) and the page cache."""

        async def serve(request: web.Request) -> web.StreamResponse:
            async with self.gate.entered() as inside:
                if not inside:
                    busy = _page("busy.html.j2", status=503, org=self.deps.org)
                    busy.headers["Retry-After"] = "5"
                    return busy
                async with self.app.sessions() as session:
                    version = await archive.version(session)
                key, now = request.path_qs, self.deps.clock()
                hit = self.cache.get(key, version, now)
                if hit is None:
                    built = await build(request)
                    if not isinstance(built, web.Response) or not isinstance(built.text, str):
                        return built
                    hit = load.Page(version, now, built.status, built.content_type, built.text)
                    self.cache.put(key, hit)
                return web.Response(
                    text=hit.body, status=hit.status, content_type=hit.content_type, charset="utf-8"
                )

        return serve

    async def _found(self, request: web.Request, size: int) -> tuple[pages.Wanted, list[Any], bool]:
        async with self.app.sessions() as session:
            want = await pages.wanted(session, request.query, self.deps)
            if want.bad_page:
                return want, [], False
            rows = await self._rows(session, want, size)
            if not rows and want.page > 1:  # past the end: the last page
                total = await archive.count(session, words=want.words, filters=want.filters)
                want.page = max(1, -(-total // size))
                rows = await self._rows(session, want, size)
            items = await pages.shown_many(session, rows[:size], self.deps)
        return want, items, len(rows) > size

    async def _rows(self, session: AsyncSession, want: pages.Wanted, size: int) -> Sequence[Any]:
        offset, words, filters = (want.page - 1) * size, want.words, want.filters
        if words:
            return await archive.search(
                session, words=words, filters=filters, limit=size + 1, offset=offset
            )
        return await archive.latest(session, filters=filters, limit=size + 1, offset=offset)

    def _bad(self) -> web.Response:
        return _page("bad.html.j2", status=400, org=self.deps.org)

    async def index(self, request: web.Request) -> web.Response:
        want, items, more = await self._found(request, PER_PAGE)
        if want.bad_page:
            return self._bad()
        async with self.app.sessions() as session:
            every = await units.every(session)

        def link(page: int) -> str:
            return "?" + urlencode({**want.params, "trang": page})

        return _page(
            "index.html.j2",
            want=want,
            items=items,
            org=self.deps.org,
            units=every,
            kinds=pages.KINDS,
            newer=link(want.page - 1) if want.page > 1 else None,
            older=link(want.page + 1) if more else None,
            feed="/feed.atom" + (("?" + urlencode(want.params)) if want.params else ""),
        )

    async def item(self, request: web.Request) -> web.Response:
        number = pages.number(request.match_info["number"])
        if number is None:
            return _page("missing.html.j2", status=404, org=self.deps.org)
        async with self.app.sessions() as session:
            sub, down = await archive.item(session, submission_id=number)
            if sub is None:
                return _page("missing.html.j2", status=404, org=self.deps.org)
            if down:
                return _page("gone.html.j2", status=410, org=self.deps.org)
            shown = await pages.shown(session, sub, self.deps)
        return _page("item.html.j2", item=shown, org=self.deps.org, origin=self.origin(request))

    async def feed(self, request: web.Request) -> web.Response:
        want, items, _ = await self._found(request, FEED_SIZE)
        if want.bad_page:
            return self._bad()
        origin = self.origin(request)
        body = ENV.get_template("feed.atom.j2").render(
            items=items,
            org=self.deps.org,
            origin=origin,
            self_url=origin + str(request.rel_url),
            updated=items[0]["at"] if items else None,
            filtered=bool(want.params),
        )
        return web.Response(text=body, content_type="application/atom+xml", charset="utf-8")

    def origin(self, request: web.Request) -> str:
        """Where absolute addresses (og:url, og:image, the feed's ids) point: PUBLIC_BASE_URL;
        without it the configured WEB_HOST:WEB_PORT, or the socket the visitor reached when
        those are "any" (0.0.0.0, port 0). Never the Host header, which anyone can forge."""
        if self.deps.web_base:
            return self.deps.web_base
        host, port = server_address(self.app.settings)
        local = request.transport.get_extra_info("sockname") if request.transport else None
        if local and (host in ANY_HOST or not port):
            host, port = (host if host not in ANY_HOST else local[0]), (port or local[1])
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    @web.middleware
    async def unknown(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """An address nothing serves: the archive's own 404 page, not aiohttp's plain text."""
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return _page("missing.html.j2", status=404, org=self.deps.org)
        except web.HTTPMethodNotAllowed as error:
            # Only the webhooks' POST catch-all (bot/web/hooks.py) matched an address no
            # platform registered: for a reader it is an address nothing shows. A webhook's
            # own path keeps its 405.
            hooks = request.app.get(WEBHOOKS)
            hook = hooks is not None and hooks.knows(request.path)
            if not hook and error.allowed_methods <= {"POST"} and request.method in ("GET", "HEAD"):
                return _page("missing.html.j2", status=404, org=self.deps.org)
            raise

    async def css(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "archive.css")
