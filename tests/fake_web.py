"""Any web site a link in a message may point at, on a loopback address of this machine:
``/photo`` is a photo, ``/go?to=<url>`` redirects there; every request is noted."""

from __future__ import annotations

from aiohttp import web

from tests.support.images import jpeg


class FakeWeb:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, 0
        self.hits: list[str] = []
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/photo", self._photo)
        app.router.add_get("/go", self._go)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str = "/photo") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def via(self, target: str) -> str:
        """A URL of this site that redirects to ``target``."""
        from urllib.parse import quote

        return self.url(f"/go?to={quote(target, safe='')}")

    async def _photo(self, request: web.Request) -> web.Response:
        self.hits.append(request.path_qs)
        return web.Response(body=jpeg(), content_type="image/jpeg")

    async def _go(self, request: web.Request) -> web.Response:
        self.hits.append(request.path_qs)
        raise web.HTTPFound(request.query["to"])
