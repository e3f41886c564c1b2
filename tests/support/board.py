"""The office's board served for a test: the bot's real routes (``add_board_routes``) on an
aiohttp server of the test's own on 127.0.0.1, beside a Harness bot; and the sign-in link an
editor or admin gets from the bot with /web."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot.web.board import add_board_routes
from handlers.admin.web_link import SIGN_IN_PATH
from tests.harness import Harness

SECRET = "test-web-secret-0123456789abcdefghijklmnop"
TOKEN_FIELD = re.compile(r'<input type="hidden" name="t" value="([^"]*)">')
LINK = re.compile(r"https?://\S+/quantri/dangnhap\?t=[\w.-]+")


def board_settings(port: int) -> dict[str, Any]:
    return {"public_base_url": f"http://127.0.0.1:{port}", "web_secret": SECRET}


@contextlib.asynccontextmanager
async def serve_board(harness: Harness, port: int) -> AsyncIterator[str]:
    """The board of the running bot at the returned base address."""
    assert harness.app is not None
    app = web.Application()
    add_board_routes(app, harness.app)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def sign_in(http: aiohttp.ClientSession, link: str) -> tuple[int, str]:
    """What a person does with the link: open it, press the one button (the form posts from
    the page itself, so the browser's Origin is the site's); the final status and page."""
    async with http.get(link) as opened:
        page = await opened.text()
        if opened.status != 200:
            return opened.status, page
    token = TOKEN_FIELD.search(page)
    assert token, page[:300]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(link))
    async with http.post(
        f"{origin}{SIGN_IN_PATH}",
        data={"t": html.unescape(token.group(1))},
        headers={"Origin": origin},
    ) as pressed:
        return pressed.status, await pressed.text()


async def link_from_bot(harness: Harness, user_id: int) -> str:
    """The one-time link the bot answers /web with."""
    sent = await harness.member(user_id, name="Thư ký").send("/web", "Đường dẫn đăng nhập")
    found = LINK.search(sent.plain or "")
    assert found, sent.plain
    return found.group(0)
