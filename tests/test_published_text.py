"""What a published item shows on the archive's pages and in the feed: the text and the
credits as published (or as an editor last corrected them), never what a member changes
afterwards; never a character that breaks the Atom feed; every correction kept."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import aiohttp
import feedparser
import pytest
from sqlmodel import col, select

# Imported before a bot starts: importing aiogram inside the running loop stalls it.
import bot.platforms.telegram.service  # noqa: F401
from storage.models import PostVersion
from tests.conftest import FROZEN, running
from tests.harness import CHANNEL, ED1, EDITORS, Harness, free_port
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.archive import publish, serving
from tests.support.flows import ARTICLE, card, press, send_article, submit_raw

Desk = tuple[Harness, str]


@pytest.fixture
async def site_desk(db_url: str, fake: FakeTelegram) -> AsyncIterator[Desk]:
    """The bot with its editors and channel, and its web server: (the bot, the site's URL);
    item #1 sent by Lan and published."""
    port = free_port()
    harness = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        editor_chat_id=EDITORS,
        editor_ids=f"telegram:{ED1}",
        publish_targets=f"telegram:{CHANNEL}",
        web_port=port,
    )
    async with running(harness):
        await submit_raw(harness.member(1001), fake)
        await card(fake)
        press(fake, ED1, "Duyệt")
        await fake.wait_for(1001, "đã được đăng")
        yield harness, f"http://127.0.0.1:{port}/"


async def get(url: str, status: int = 200) -> str:
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url) as response:
        body = await response.text()
        assert response.status == status, body[:300]
        return body


def strict_feed(body: str) -> feedparser.FeedParserDict:
    """The feed as a strict XML parser and a feed reader read it."""
    ET.fromstring(body.encode())  # raises on any character XML 1.0 forbids
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


async def test_an_editors_correction_with_a_control_character_is_refused(site_desk: Desk) -> None:
    harness, url = site_desk
    editor = harness.member(ED1, "Minh")
    await editor.send("/suabai 1 Cô Hoa\x0bmở lớp", "ký tự điều khiển ẩn")
    assert "mở lớp" not in await get(f"{url}tin/1")
    await editor.send("/suabai 1 Cô Hoa mở lớp dạy miễn phí", "Sửa bài #1")
    feed = strict_feed(await get(f"{url}feed.atom"))
    assert "Cô Hoa mở lớp dạy miễn phí" in feed.entries[0].content[0].value


async def test_the_feed_parses_whatever_a_stored_text_holds(
    db_url: str, fake: FakeTelegram
) -> None:
    async with serving(db_url, fake, FROZEN) as (app, url):
        await publish(app, at=FROZEN, who="Cô\x0bHoa\ufffe", member="Lan\x1b")
        feed = strict_feed(await get(f"{url}feed.atom"))
        assert "CôHoa" in feed.entries[0].content[0].value
        page = await get(f"{url}tin/1")
        assert "\x0b" not in page and "CôHoa" in page


async def test_a_contributor_renamed_after_publication_changes_nothing_public(
    site_desk: Desk, fake: FakeTelegram
) -> None:
    harness, url = site_desk
    mark = fake.mark()
    await send_article(harness.member(1002, "Minh"), ARTICLE, "Cảm phục thầy.")
    first = await card(fake, "Cảm phục thầy", after=mark)
    await send_article(harness.member(1003, "Hà"), ARTICLE + "/", "Thầy thật đáng quý.")
    await card(fake, "có thể trùng với #2", after=mark)
    press(fake, ED1, "Gộp vào #2")
    await fake.wait_for(1003, "gộp hai tin làm một")
    fake.push_callback(ED1, first.message_id, "card:approve:2", chat_id=EDITORS)
    await fake.wait_for(1002, "đã được đăng")
    assert "Cùng gửi tin: Minh" in await get(f"{url}tin/2")

    spam = "WIN 10 TRIEU bit.ly/abc"
    await harness.member(1003, spam).send("/toi", spam)  # every update overwrites the name
    assert (await harness.member_row(1003)).display_name == spam
    page, feed = await get(f"{url}tin/2"), await get(f"{url}feed.atom")
    assert "WIN 10 TRIEU" not in page and "WIN 10 TRIEU" not in feed
    assert "Minh" in page and "Hà" in page and 'og:description" content="' in page


async def test_every_correction_is_kept_and_a_taken_down_item_stays_out(
    site_desk: Desk, fake: FakeTelegram
) -> None:
    harness, url = site_desk
    editor = harness.member(ED1, "Minh")
    await editor.send("/suabai 1 Cô Hoa mở lớp học bơi miễn phí", "Sửa bài #1")
    mark = fake.mark()
    await editor.send("/suabai 1 Cô Hoa mở lớp học vẽ miễn phí", "Sửa bài #1")
    shown = await card(fake, "Đã sửa 2 lần", after=mark)  # the card in the editors' group
    assert "Minh: trước là “Cô Hoa mở lớp học bơi" in (shown.plain or "")
    assert harness.app is not None
    async with harness.app.sessions() as session:
        kept = (await session.exec(select(PostVersion).order_by(col(PostVersion.id)))).all()
    assert [v.by for v in kept] == [f"telegram:{ED1}"] * 2
    assert "Sáng 15/11" in kept[0].old_text and "học bơi" in kept[0].new_text
    assert "học bơi" in kept[1].old_text and "học vẽ" in kept[1].new_text
    assert "học vẽ" in await get(f"{url}?q=hoc+ve")

    await editor.send("/gobai 1", "Gỡ bài #1")
    await editor.send("/suabai 1 Cô Hoa mở lớp học đàn miễn phí", "Sửa bài #1")
    await get(f"{url}tin/1", status=410)
    for words in ("hoc+dan", "hoc+ve", "co+hoa"):
        assert "Cô Hoa" not in await get(f"{url}?q={words}")
