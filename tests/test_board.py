"""The office's board without a browser: who gets a sign-in link from the bot, and which links,
cookies and sessions open /quantri (the browser story is tests/test_board_browser.py)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import aiohttp
from sqlmodel import select

from bot.platforms.registry import chat_names
from handlers.admin.web_link import sign
from handlers.engine.texts import platform_example
from storage.models import Outbox, SignInToken
from tests.conftest import FROZEN, running
from tests.harness import ADMIN, ED1, Harness, free_port, settings_for
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.board import LINK, SECRET, board_settings, link_from_bot, sign_in

ZALO_ADMIN = "ad-zalo-web"

MEMBER = 1201


async def open_link(link: str) -> tuple[int, str, aiohttp.CookieJar]:
    jar = aiohttp.CookieJar(unsafe=True)
    timeout = aiohttp.ClientTimeout(10)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as web:
        status, page = await sign_in(web, link)
        return status, page, jar


async def test_an_editor_signs_in_once_with_the_link(board: tuple[Harness, str]) -> None:
    harness, _ = board
    link = await link_from_bot(harness, ED1)
    status, page, jar = await open_link(link)
    assert status == 200 and "Nhịp đăng tuần này" in page
    assert "Đoàn phường An Lạc" in page and "Chưa có tin" in page
    cookie = next(iter(jar))
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/quantri"
    assert SECRET not in page and SECRET not in cookie.value

    status, page, _ = await open_link(link)  # the same link again
    assert status == 403 and "chỉ dùng được một lần" in page


async def test_a_link_scanner_leaves_the_link_to_its_person(board: tuple[Harness, str]) -> None:
    """A mail or chat app's preview fetches the link (HEAD, GET) before the person opens it."""
    harness, base = board
    link = await link_from_bot(harness, ED1)
    timeout = aiohttp.ClientTimeout(10)
    async with aiohttp.ClientSession(timeout=timeout) as scanner:
        async with scanner.head(link, allow_redirects=False) as response:
            assert response.status == 405 and "Set-Cookie" not in response.headers
        for _ in range(2):
            async with scanner.get(link, allow_redirects=False) as response:
                page = await response.text()
                assert response.status == 200 and "Đăng nhập" in page
                assert "Set-Cookie" not in response.headers and "Nhịp đăng" not in page
        token = link.partition("?t=")[2]
        for headers in ({}, {"Origin": "https://evil.example"}):  # a post from elsewhere
            async with scanner.post(
                f"{base}/quantri/dangnhap", data={"t": token}, headers=headers
            ) as response:
                assert response.status == 403 and "Set-Cookie" not in response.headers
    status, page, _ = await open_link(link)  # the person, after all that
    assert status == 200 and "Nhịp đăng tuần này" in page
    assert (await open_link(link))[0] == 403  # used now, by the person


async def test_an_expired_link_is_refused(board: tuple[Harness, str]) -> None:
    harness, _ = board
    link = await link_from_bot(harness, ADMIN)
    harness.now = harness.now + timedelta(minutes=11)
    status, page, _ = await open_link(link)
    assert status == 403 and "/web" in page


async def test_a_member_is_refused_politely(board: tuple[Harness, str], fake: FakeTelegram) -> None:
    harness, _ = board
    sent = await harness.member(MEMBER).send("/web", "chỉ dành cho ban biên tập")
    assert "quantri" not in (sent.plain or "")


async def test_forged_links_and_cookies_get_nothing(board: tuple[Harness, str]) -> None:
    harness, base = board
    link = await link_from_bot(harness, ADMIN)
    token = link.partition("?t=")[2]
    nonce = token.rpartition(".")[0]
    forged = f"{base}/quantri/dangnhap?t={sign(nonce + 'x', 'not-the-secret')}"
    assert (await open_link(forged))[0] == 403
    timeout = aiohttp.ClientTimeout(10)
    for value in ("", "abc", sign("made-up-session", SECRET), sign("x", "guess")):
        async with aiohttp.ClientSession(timeout=timeout) as web:
            async with web.get(
                f"{base}/quantri", headers={"Cookie": f"tintot_quantri={value}"}
            ) as r:
                text = await r.text()
                assert r.status == 403 and "Nhịp đăng" not in text and "/web" in text
            async with web.get(
                f"{base}/quantri/tep?ky=thang", headers={"Cookie": f"tintot_quantri={value}"}
            ) as r:
                assert r.status == 403 and r.content_type == "text/html"
    assert (await open_link(link))[0] == 200  # the real link was never touched


async def test_a_removed_editors_session_stops_at_once(board: tuple[Harness, str]) -> None:
    harness, base = board
    status, _, jar = await open_link(await link_from_bot(harness, ED1))
    assert status == 200
    timeout = aiohttp.ClientTimeout(10)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as web:
        async with web.get(f"{base}/quantri") as response:
            assert response.status == 200
        admin = harness.member(ADMIN, name="Quản trị")
        await admin.send(f"/bientap xoa {ED1}", "Đã gỡ")
        async with web.get(f"{base}/quantri") as response:
            assert response.status == 403 and "không còn quyền" in await response.text()


async def test_admins_set_a_units_contacts_from_chat(board: tuple[Harness, str]) -> None:
    harness, _ = board
    admin = harness.member(ADMIN, name="Quản trị")
    await admin.send("/lienhe p-anlac them telegram:501", "Đã thêm telegram:501")
    await admin.send("/lienhe p-anlac them zalo:abc", "Đã thêm zalo:abc")
    listed = await admin.send("/lienhe p-anlac", "Người liên hệ")
    assert "telegram:501, zalo:abc" in (listed.plain or "")
    await admin.send("/lienhe p-anlac xoa zalo:abc", "Đã gỡ zalo:abc")
    await admin.send("/lienhe khong-co them 5", 'Không có đơn vị mã "khong-co"')
    await harness.member(ED1).send("/lienhe p-anlac them telegram:7", "quản trị viên")
    listed = await admin.send("/lienhe", "Người liên hệ")
    assert "Đoàn phường An Lạc (p-anlac): telegram:501\n" in (listed.plain or "")


async def test_the_contacts_form_shows_how_ids_look_on_the_chat_platforms(
    board: tuple[Harness, str],
) -> None:
    """The field's examples are the chat platforms' own (``example_id``), passed in by start-up;
    a contact on a platform people do not chat on is refused with the same examples."""
    harness, base = board
    first, second = chat_names()[:2]
    examples = [f"{name}:{platform_example(name)}" for name in (first, second)]
    status, page, jar = await open_link(await link_from_bot(harness, ADMIN))
    assert status == 200 and f"Người liên hệ ({examples[0]} hoặc {examples[1]})" in page
    timeout = aiohttp.ClientTimeout(10)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as web:
        form = {"donvi": "p-anlac", "nguoi": "fax:501", "viec": "them"}
        async with web.post(
            f"{base}/quantri/lienhe", data=form, headers={"Origin": base}
        ) as response:
            refused = await response.text()
            assert response.status == 400
            assert f"<em>{examples[0]}</em> hoặc <em>{examples[1]}</em>" in refused
        form["nguoi"] = f"{first}:501"
        async with web.post(
            f"{base}/quantri/lienhe", data=form, headers={"Origin": base}
        ) as response:
            assert response.status == 200 and "Nhịp đăng tuần này" in await response.text()
    listed = await harness.member(ADMIN, name="Quản trị").send("/lienhe p-anlac", "Người liên hệ")
    assert f"{first}:501" in (listed.plain or "")


async def test_a_held_web_answer_keeps_no_token_and_brings_a_fresh_link(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    """Zalo refuses the /web answer (quota): the outbox keeps only the token's hash, and the
    answer delivered later carries a fresh link, valid although the first one has expired."""
    zalo.add_chat(ZALO_ADMIN, "PRIVATE")
    port = free_port()
    extra = settings_for(zalo, admin_ids=f"zalo:{ZALO_ADMIN}", web_port=port)
    harness = Harness(db_url=db_url, fake=fake, now=FROZEN, **extra, **board_settings(port))
    async with running(harness):
        zalo.quota_after = len(zalo.sent)
        mark = zalo.mark()
        zalo.push_text(ZALO_ADMIN, "/toi")
        await zalo.wait_for(ZALO_ADMIN, None, after=mark)
        zalo.quota_after = len(zalo.sent)  # the month's messages are used up
        zalo.push_text(ZALO_ADMIN, "/web")
        await until_held(harness)
        assert harness.app is not None
        async with harness.app.sessions() as session:
            held_rows = select(Outbox).where(
                Outbox.chat_id == ZALO_ADMIN, Outbox.template == "staff/web_link.j2"
            )
            [held] = (await session.exec(held_rows)).all()
            [first] = (await session.exec(select(SignInToken))).all()
        assert held.context == {"sign_in": first.token_hash}
        assert "dangnhap" not in json.dumps(held.context)

        zalo.reset_quota()
        harness.now = harness.now + timedelta(minutes=16)  # the first link has expired
        sent = await zalo.wait_for(ZALO_ADMIN, "Đường dẫn đăng nhập")
        found = LINK.search(sent.text or "")
        assert found
        status, page, _ = await open_link(found.group(0))
        assert status == 200 and "Nhịp đăng tuần này" in page


async def until_held(harness: Harness) -> None:
    assert harness.app is not None
    for _ in range(200):
        async with harness.app.sessions() as session:
            rows = select(Outbox).where(
                Outbox.chat_id == ZALO_ADMIN, Outbox.template == "staff/web_link.j2"
            )
            if (await session.exec(rows)).all():
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the /web answer was never held")
