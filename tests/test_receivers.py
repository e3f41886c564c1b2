"""A webhook call reaches the platform's receiver on the shared server: verified on its raw
bytes before anything is parsed or stored. Telegram and the Zalo bot compare a header with
their secret; a platform that signs its calls overrides ``verify``."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from bot.platforms.telegram.receiver import TelegramReceiver
from bot.web.hooks import Receiver, Webhooks


class Signed(Receiver):
    """Like a platform that signs: ``mac=`` the SHA-256 of the raw body and the secret."""

    def verify(self, request: web.Request, raw_body: bytes) -> bool:
        secret = self.secret.get_secret_value().encode() if self.secret else b""
        expected = "mac=" + hashlib.sha256(raw_body + secret).hexdigest()
        return hmac.compare_digest(request.headers.get("X-Signature", ""), expected)


async def _serve(hooks: Webhooks) -> tuple[web.AppRunner, str]:
    """The shared server's catch-all on 127.0.0.1, as ``bot.web.server`` mounts it."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", hooks.dispatch)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_a_receiver_lets_only_verified_calls_through() -> None:
    got: list[Any] = []

    async def receive(body: Any) -> web.StreamResponse:
        got.append(body)
        return web.json_response({"ok": True})

    hooks = Webhooks()
    hooks.of("telegram").add("/telegram", TelegramReceiver(SecretStr("s3cret"), receive))
    hooks.of("signed").add("/signed", Signed(SecretStr("k"), receive))
    hooks.of("empty").add("/empty", TelegramReceiver(None, receive))
    runner, base = await _serve(hooks)
    body = b'{"update_id": 1}'
    mac = "mac=" + hashlib.sha256(body + b"k").hexdigest()
    calls = [
        ("/telegram", {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}, body, 200),
        ("/telegram", {"X-Telegram-Bot-Api-Secret-Token": "wrong"}, body, 401),
        ("/telegram", {}, body, 401),
        ("/telegram", {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}, b"{not json", 400),
        ("/empty", {"X-Telegram-Bot-Api-Secret-Token": ""}, body, 401),  # no secret: none pass
        ("/signed", {"X-Signature": mac}, body, 200),
        ("/signed", {"X-Signature": mac}, body + b" ", 401),  # the body changed on the way
    ]
    try:
        async with aiohttp.ClientSession() as http:
            for path, headers, data, status in calls:
                async with http.post(base + path, data=data, headers=headers) as answer:
                    assert (path, answer.status) == (path, status)
    finally:
        await runner.cleanup()
    assert got == [{"update_id": 1}, {"update_id": 1}]  # only the verified calls, parsed
