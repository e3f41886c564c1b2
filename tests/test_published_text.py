"""What a published item shows on the archive's pages and in the feed: the text and the
credits as published (or as an editor last corrected them), never what a member changes
afterwards; never a character that breaks the Atom feed; every correction kept."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import aiohttp
import feedparser
import pytest

# Imported before a bot starts: importing aiogram inside the running loop stalls it.
import bot.platforms.telegram.service  # noqa: F401
from tests.conftest import FROZEN, running
from tests.fake_telegram import FakeTelegram
from tests.harness import CHANNEL, ED1, EDITORS, Harness, free_port
from tests.support.archive import publish, serving
from tests.support.flows import card, press, submit_raw

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
        await fake.wait_for(1001, "đã được đăng", timeout=10)
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
        await publish(app, at=FROZEN, who="Cô\x0bHoa\x00\ufffe", member="Lan\x1b")
        feed = strict_feed(await get(f"{url}feed.atom"))
        assert "CôHoa" in feed.entries[0].content[0].value
        page = await get(f"{url}tin/1")
        assert "\x0b" not in page and "CôHoa" in page
