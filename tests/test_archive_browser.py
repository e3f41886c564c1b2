"""The archive in a real browser on a phone: a visitor with no account searches without
diacritics, filters by unit, opens an item and follows its feed; the pages fit a 360 px
screen and axe-core finds no serious or critical accessibility problem. Screenshots of each
page are saved in tests/artifacts/ (TEST_ARTIFACTS) for a person to look at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import feedparser
import pytest
from sqlmodel import select

from bot.runtime.app import App
from handlers.privacy import erasure
from storage.models import Member, Submission
from tests.conftest import FROZEN
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.archive import merge_into, publish, serving
from tests.support.browser import (
    fits_the_screen,
    needs_chromium,
    phone,
    screenshot,
    serious_violations,
)

pytestmark = needs_chromium
Site = tuple[App, str]


@pytest.fixture
async def site(db_url: str, fake: FakeTelegram) -> AsyncIterator[Site]:
    async with serving(db_url, fake, FROZEN) as running:
        app = running[0]
        await publish(app, at=FROZEN - timedelta(days=3), who="Chị Mai", unit="thpt-binhtan")
        await publish(
            app,
            at=FROZEN - timedelta(days=1),
            who="Anh Hoà",
            deed="Trả lại chiếc ví nhặt được cho người đánh rơi",
            meaning="Lan tỏa lối sống trung thực trong khu phố",
        )
        await publish(app, at=FROZEN, who="Cô Thảo", kind="cau_chuyen_dep", unit="cd-kp3-anlac")
        yield running


async def test_a_visitor_on_a_phone_finds_opens_and_follows_a_story(site: Site) -> None:
    _, url = site
    async with phone() as page:
        await page.goto(url)
        assert await page.title() and "Cô Thảo" in await page.content()
        assert await fits_the_screen(page)
        assert await serious_violations(page) == []
        await screenshot(page, "archive-home")

        await page.fill("#q", "trung thuc")  # no diacritics, as typed on many phones
        await page.click("button[type=submit]")
        await page.wait_for_url("**/?q=trung+thuc*")
        results = page.locator("article.item")
        assert await results.count() == 1
        assert "Anh Hoà" in await results.first.inner_text()
        await screenshot(page, "archive-search")

        await page.fill("#q", "")
        await page.select_option("#donvi", "p-anlac")  # the ward and its youth branch
        await page.click("button[type=submit]")
        await page.wait_for_url("**donvi=p-anlac*")
        shown = await page.locator("article.item").all_inner_texts()
        assert len(shown) == 2 and not any("Chị Mai" in text for text in shown)
        assert await serious_violations(page) == []
        await screenshot(page, "archive-unit")

        await page.click("text=Xem tin số 2")
        await page.wait_for_url("**/tin/2")
        og = page.locator('meta[property="og:title"]')
        assert "Tin tốt" in (await og.get_attribute("content") or "")
        assert await fits_the_screen(page)
        assert await serious_violations(page) == []
        await screenshot(page, "archive-item")

        await page.go_back()
        feed_link = page.locator("a", has_text="Theo dõi các tin theo bộ lọc này")
        href = await feed_link.get_attribute("href")
        assert href is not None and href.startswith("/feed.atom?")
        response = await page.request.get(url.rstrip("/") + href)
        feed = feedparser.parse(await response.text())
        assert not feed.bozo and len(feed.entries) == 2
        assert {e.link for e in feed.entries} == {f"{url}tin/2", f"{url}tin/3"}

        missing = await page.goto(f"{url}tin/99")
        assert missing is not None and missing.status == 404
        assert await serious_violations(page) == []
        await screenshot(page, "archive-missing")


async def test_a_taken_down_story_answers_410_in_the_browser(site: Site) -> None:
    app, url = site
    async with app.sessions() as session:
        sub = await session.get(Submission, 2)
        assert sub is not None
        sub.taken_down_at = FROZEN
        session.add(sub)
        await session.commit()
    async with phone() as page:
        gone = await page.goto(f"{url}tin/2")
        assert gone is not None and gone.status == 410
        await screenshot(page, "archive-gone")


async def test_an_erased_member_is_not_named_in_the_browser(site: Site) -> None:
    app, url = site
    second = await publish(app, at=FROZEN, who="Anh Hoà", member="Trần Văn Minh")
    await merge_into(app, second, 2)  # Gộp: both members credited on story 2
    async with phone() as page:
        await page.goto(f"{url}tin/2")
        assert "Trần Văn Minh" in await page.content()
        async with app.sessions() as session:
            query = select(Member).where(Member.display_name == "Trần Văn Minh")
            member = (await session.exec(query)).one()
            await erasure.forget(session, member, app.core.deps, actor="cli")
            await session.commit()
        await page.reload()
        assert "Trần Văn Minh" not in await page.content()
