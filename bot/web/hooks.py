"""The platforms' webhook routes, which may come after the server listens: a platform that
could not start at first is started again while the others serve, and aiohttp freezes its
routes once serving. One ``POST`` catch-all, added last, hands a call to the platform that
registered its path; a path whose platform is not (or no longer) running answers 503, so
the platform delivers the update again later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Webhooks:
    def __init__(self) -> None:
        self._paths: dict[str, tuple[str, Handler]] = {}  # path → (platform, handler)
        self._wanted: set[str] = set()

    def of(self, platform: str) -> Routes:
        return Routes(self, platform)

    def add(self, platform: str, path: str, handler: Handler) -> None:
        self._paths[path] = (platform, handler)
        self._wanted.add(path)

    def knows(self, path: str) -> bool:
        """A platform registered ``path`` (running or not): a GET there is a wrong method."""
        return path in self._wanted

    def drop(self, platform: str) -> None:
        """A platform stopped: its paths answer 503 (its updates are delivered again)."""
        self._paths = {p: h for p, h in self._paths.items() if h[0] != platform}

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        found = self._paths.get(request.path)
        if found is not None:
            return await found[1](request)
        if request.path in self._wanted:
            raise web.HTTPServiceUnavailable
        raise web.HTTPNotFound


class Routes:
    """What a platform's ``start`` is given to register its webhook path on."""

    def __init__(self, hooks: Webhooks, platform: str) -> None:
        self._hooks, self._platform = hooks, platform

    def add_post(self, path: str, handler: Handler) -> None:
        self._hooks.add(self._platform, path, handler)


WEBHOOKS = web.AppKey("webhooks", Webhooks)
