"""The OA's webhook receiver, ``POST /zalo-oa/webhook`` on the bot's web server.

Zalo signs each call (OA docs, "Xác thực webhook"): ``X-ZEvent-Signature: mac=<hex>``, the
SHA-256 (plain, not an HMAC) of ``app_id + raw body + timestamp + OA secret key``, the
timestamp being the body's own. The raw bytes are hashed as they came, compared in constant
time, and a call that fails gets 401 with nothing written. A good call is stored in the
inbox and answered 200 at once (Zalo wants it within 2 seconds and retries otherwise); the
work follows."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.web.hooks import Receiver

PATH = "/zalo-oa/webhook"
HEADER = "X-ZEvent-Signature"
Store = Callable[[dict[str, Any]], Awaitable[str | None]]


def signature(app_id: str, raw_body: bytes, timestamp: str, secret_key: str) -> str:
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + secret_key.encode())
    return f"mac={digest.hexdigest()}"


class OAReceiver(Receiver):
    """The shared receiver (``bot.web.hooks.Receiver``) with the OA's signature as ``verify``:
    checked, stored, acknowledged."""

    path = PATH

    def __init__(
        self,
        app_id: str,
        secret_key: SecretStr | None,
        store: Store,
        handle_later: Callable[[str], None],
    ) -> None:
        super().__init__(secret_key, self._receive)
        self.app_id, self.store, self.handle_later = app_id, store, handle_later

    def verify(self, request: web.Request, raw_body: bytes) -> bool:
        given = request.headers.get(HEADER, "")
        secret = self.secret.get_secret_value() if self.secret is not None else ""
        try:
            body = json.loads(raw_body)
        except ValueError:
            return False
        stamp = body.get("timestamp") if isinstance(body, dict) else None
        if not secret or not isinstance(stamp, str | int) or isinstance(stamp, bool):
            return False
        expected = signature(self.app_id, raw_body, str(stamp), secret)
        return hmac.compare_digest(given.encode(), expected.encode())

    async def _receive(self, body: Any) -> web.StreamResponse:
        if not isinstance(body, dict):
            raise web.HTTPBadRequest
        sender = await self.store(body)
        if sender is not None:  # stored: answer now, handle after
            self.handle_later(sender)
        return web.json_response({"error": 0})
