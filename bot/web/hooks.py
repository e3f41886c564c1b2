"""The platforms' webhook receivers, which may come after the server listens: a platform that
could not start at first is started again while the others serve, and aiohttp freezes its
routes once serving. One ``POST`` catch-all, added last, hands a call to the receiver that
registered its path; a path whose platform is not (or no longer) running answers 503, so
the platform delivers the update again later."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import SecretStr

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Receive = Callable[[Any], Awaitable[web.StreamResponse]]


class Receiver:
    """One platform's webhook (a class in its folder, ``receiver`` of its registry row): the
    call is verified on its raw bytes before anything is parsed or stored (401 otherwise),
    then its JSON goes to ``receive`` (400 when it is none). By default the platform quotes a
    shared secret in ``header`` (Telegram, the Zalo bot), compared in constant time; a
    platform that signs its calls overrides ``verify`` (a signature over ``raw_body``)."""

    header: str = ""  # the header that quotes the secret back

    def __init__(self, secret: SecretStr | None, receive: Receive) -> None:
        self.secret, self.receive = secret, receive

    def verify(self, request: web.Request, raw_body: bytes) -> bool:
        given = request.headers.get(self.header, "") if self.header else ""
        expected = self.secret.get_secret_value().encode() if self.secret is not None else b""
        # No secret configured (or an empty one) refuses everything: "" would match no header.
        return bool(expected) and hmac.compare_digest(given.encode(), expected)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        raw_body = await request.read()
        if not self.verify(request, raw_body):
            raise web.HTTPUnauthorized
        try:
            body = json.loads(raw_body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise web.HTTPBadRequest from error
        return await self.receive(body)


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
    """What a platform's ``start`` is given to register its webhook receiver on."""

    def __init__(self, hooks: Webhooks, platform: str) -> None:
        self._hooks, self._platform = hooks, platform

    def add(self, path: str, receiver: Receiver) -> None:
        self._hooks.add(self._platform, path, receiver)


WEBHOOKS = web.AppKey("webhooks", Webhooks)
