"""Addresses an outsider may type or forge: every odd value gets a deliberate 400 or 404 page
from the real server (never a 500, never a traceback), numbers are ASCII digits only, and the
absolute addresses a page gives out come from the configuration, not from the Host header."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.runtime.app import App
from tests.conftest import FROZEN
from tests.harness import free_port
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.archive import publish, serving
from tests.support.board import board_settings

Site = tuple[App, str]


@pytest.fixture
async def site(db_url: str, fake: FakeTelegram) -> AsyncIterator[Site]:
    """The archive and the board, with three published items."""
    port = free_port()
    async with serving(db_url, fake, FROZEN, web_port=port, **board_settings(port)) as running:
        for who in ("Cô Hoa", "Anh Dũng", "Chị Mai"):
            await publish(running[0], at=FROZEN, who=who)
        yield running


ODD = [
    ("tin/%C2%B2", 404, ""),  # "²": str.isdigit() says yes, int() says no
    ("tin/%D9%A3", 404, ""),  # "٣", an Arabic-Indic three: never item 3
    ("tin/3", 200, "Chị Mai"),
    ("tin/-1", 404, ""),
    ("tin/0", 404, ""),
    ("tin/99999999999999", 404, ""),
    ("tin/%00", 404, ""),
    ("?trang=%C2%B2", 400, "không hợp lệ"),
    ("?trang=abc", 400, "không hợp lệ"),
    ("?trang=-2", 400, "không hợp lệ"),
    ("feed.atom?trang=%D9%A3", 400, "không hợp lệ"),
    ("?trang=99999", 200, "Cô Hoa"),  # past the end: the last page
    ("?thang=9999-12", 200, "không hợp lệ"),
    ("?thang=0001-01", 200, "không hợp lệ"),
    ("?thang=2026-00", 200, "không hợp lệ"),
    ("?thang=%D9%A2026-11", 200, "không hợp lệ"),
    ("?q=%FF%FE", 200, ""),
    ("khong-co-trang-nay", 404, "Không tìm thấy"),
    ("quantri/dangnhap?t=%C3%A9.%C3%A9", 403, ""),  # a token that is not ASCII
    ("quantri/dangnhap?t=" + "a" * 500, 403, ""),
]


async def test_every_odd_address_gets_a_deliberate_answer(site: Site) -> None:
    """An outsider tries each address of ``ODD`` on one server (a server each cost 40 starts
    for the same story); every address that answers otherwise is named."""
    _, url = site
    wrong = []
    # No cookie an answer sets goes with the next address: each is a first visit.
    jar = aiohttp.DummyCookieJar()
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=10), cookie_jar=jar
    ) as http:
        for address, status, shows in ODD:
            async with http.get(url + address, allow_redirects=False) as response:
                body = await response.text()
            answer = (response.status, response.content_type)
            broken = "Traceback" in body or "Server got itself in trouble" in body
            if answer != (status, "text/html") or broken or shows not in body:
                wrong.append(f"{address}: {answer} {body[:200]!r}")
    assert wrong == []


async def test_a_session_cookie_that_is_not_ascii_is_refused(site: Site) -> None:
    _, url = site
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as http:
        for cookie in ("é.é", "\u00e9" * 40 + ".x", "abc"):
            headers = {"Cookie": f"tintot_quantri={cookie}".encode().decode("latin-1")}
            async with http.get(f"{url}quantri", headers=headers) as response:
                body = await response.text()
            assert response.status == 403 and "/web" in body, cookie


async def absolute_addresses(url: str, host: str) -> str:
    """The item page and the feed fetched with a forged Host header, joined."""
    timeout = aiohttp.ClientTimeout(total=10)
    bodies = []
    async with aiohttp.ClientSession(timeout=timeout) as http:
        for address in ("tin/1", "feed.atom"):
            async with http.get(url + address, headers={"Host": host}) as response:
                assert response.status == 200
                bodies.append(await response.text())
    return "\n".join(bodies)


async def test_a_forged_host_never_reaches_the_absolute_addresses(
    db_url: str, fake: FakeTelegram
) -> None:
    async with serving(db_url, fake, FROZEN) as (app, url):
        await publish(app, at=FROZEN, who="Cô Hoa")
        shown = await absolute_addresses(url, "evil.example")
        assert "evil.example" not in shown
        assert f'property="og:url" content="{url}tin/1"' in shown  # the socket it listens on
        assert f"<id>{url}tin/1</id>" in shown
    base = "https://tintot.example.org"
    async with serving(db_url, fake, FROZEN, public_base_url=base) as (app, url):
        shown = await absolute_addresses(url, "evil.example")
        assert "evil.example" not in shown and "127.0.0.1" not in shown
        assert f'content="{base}/tin/1"' in shown and f"<id>{base}/tin/1</id>" in shown
