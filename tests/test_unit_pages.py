"""Every unit's own page (#23): a base's approved item goes to the organisation's channel and
page and to the base's own fanpage, once each, and to the district's site, which takes its
bases' items; another base's item never reaches that fanpage. What the bases post on their
pages themselves is counted (the bot's own posts are not counted twice), edits and
deletions included, and covers their weeks."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp

from handlers.jobs import weekly_nudge
from handlers.pages import counting
from storage import contacts
from storage.models import DirectPost
from tests.conftest import FROZEN
from tests.fake_graph import PAGE, FakeGraph
from tests.fake_telegram import FakeTelegram
from tests.fake_wordpress import FakeWordPress
from tests.harness import ADMIN, CHANNEL, ED1, Harness, free_port
from tests.support.board import board_settings, link_from_bot, serve_board, sign_in
from tests.support.flows import card, press, submit_raw
from tests.support.pages import (
    ANLAC,
    BHH,
    BHH_NAME,
    DISTRICT,
    direct_posts,
    notices,
    pages_bot,
    pages_org,
    posts_of,
)
from tests.support.sites import until


def facts(rows: dict[str, DirectPost]) -> set[tuple[object, ...]]:
    """What a direct post's row says, without when it was last read."""
    return {
        (r.id, r.post_id, r.unit_code, r.kind, r.link, r.posted_at, r.gone_at)
        for r in rows.values()
    }


async def publish(bot: Harness, fake: FakeTelegram, user: int, unit: str) -> None:
    """A member of ``unit`` sends an item; an editor approves it; it is published."""
    mark = fake.mark()
    await submit_raw(bot.member(user, f"Người {user}", None), fake, unit=unit)
    await card(fake, after=mark)
    press(fake, ED1, "Duyệt")
    await fake.wait_for(user, "đã được đăng", timeout=30)


async def test_a_bases_item_reaches_its_own_page_and_the_district_site_once_each(
    db_url: str,
    fake: FakeTelegram,
    pages_graph: FakeGraph,
    wp: FakeWordPress,
    tmp_path: Path,
) -> None:
    graph = pages_graph
    bot = pages_bot(db_url, fake, graph, wp, pages_org(tmp_path))
    await bot.start()
    try:
        await until(lambda: ("GET", ANLAC) in graph.calls, 30)  # every page's token checked
        await publish(bot, fake, 1001, "Đoàn phường An Lạc")
        await publish(bot, fake, 1002, BHH_NAME)
        await asyncio.sleep(0.3)  # nothing more goes out: once each

        # An Lạc's item: the channel, the organisation's page, An Lạc's page, the district's
        # site (it takes its bases' items); Bình Hưng Hòa's: its own page instead.
        assert await posts_of(bot, 1) == [
            f"telegram:{CHANNEL}",
            f"facebook:{PAGE}",
            f"facebook:{ANLAC}",
            "wordpress:quan",
        ]
        assert await posts_of(bot, 2) == [
            f"telegram:{CHANNEL}",
            f"facebook:{PAGE}",
            f"facebook:{BHH}",
            "wordpress:quan",
        ]
        [anlac_post], [bhh_post] = graph.live(ANLAC), graph.live(BHH)
        assert "Người 1001" not in (anlac_post.message or "")  # the item, not its sender
        assert "#moingay1tintot" in (anlac_post.message or "")
        assert len(graph.live(PAGE)) == 2 and len(wp.published()) == 2
        assert anlac_post.message != bhh_post.message or anlac_post.id != bhh_post.id
        # The card shows each of the four targets with its own status.
        shown = (await card(fake, "Facebook ✓")).plain or ""
        assert shown.count("✓") >= 4
    finally:
        await bot.stop()


async def test_bases_own_posts_are_counted_once_and_follow_edits_and_deletions(
    db_url: str,
    fake: FakeTelegram,
    pages_graph: FakeGraph,
    wp: FakeWordPress,
    tmp_path: Path,
) -> None:
    graph = pages_graph
    graph.page_size = 2  # An Lạc's page answers two posts at a time: paging.next is followed
    wp.page_size = 1  # and the site one post a page
    bot = pages_bot(db_url, fake, graph, wp, pages_org(tmp_path))
    await bot.start()
    try:
        await until(lambda: ("GET", ANLAC) in graph.calls, 30)
        await publish(bot, fake, 1001, "Đoàn phường An Lạc")  # the bot's own post there
        [own] = graph.live(ANLAC)
        day = timedelta(days=1)
        news = graph.page_post(
            ANLAC, "Lớp học miễn phí cho các em #MoiNgay1TinTot 🌸", FROZEN - day
        )
        story = graph.page_post(ANLAC, "Chuyện bác Tư #moituan1cauchuyendep", FROZEN - 2 * day)
        graph.page_post(ANLAC, "Thông báo họp chi đoàn tối nay", FROZEN - 3 * day)
        graph.page_post(ANLAC, "Từ tháng trước #moingay1tintot", FROZEN - 60 * day)
        site = wp.site_post("Ngày hội hiến máu", "Hơn 200 người #moingay1tintot", FROZEN - day)
        assert bot.app is not None
        # The scheduler read every unit's page by itself at start (once in 6 hours); the
        # admin's ``count-pages`` reads them again now.
        await until(lambda: ("GET", f"{BHH}/posts") in graph.calls, 30)
        await until(
            lambda: ("GET", BHH) in graph.calls[graph.calls.index(("GET", f"{BHH}/posts")) :]
        )
        feeds, lists = (
            graph.calls.count(("GET", f"{ANLAC}/posts")),
            wp.calls.count(("GET", "/posts")),
        )

        counted = await counting.count(bot.app.sessions, bot.app.core.deps)

        found = await direct_posts(bot)
        assert set(found) == {news.id, story.id, str(site["id"])}  # not the bot's, not old
        assert own.id not in found
        assert (found[news.id].unit_code, found[news.id].kind) == ("p-anlac", "tin_tot")
        assert (found[story.id].unit_code, found[story.id].kind) == ("p-anlac", "cau_chuyen_dep")
        assert found[str(site["id"])].unit_code == "qd-binhtan"
        assert found[str(site["id"])].link == site["link"]
        assert found[news.id].link == f"https://www.facebook.com/{news.id}"
        assert counted.posts == 3 and counted.pages == 3 and not counted.refused
        # Four posts in the window at two a page; two posts on the site at one a page.
        assert graph.calls.count(("GET", f"{ANLAC}/posts")) == feeds + 2
        assert wp.calls.count(("GET", "/posts")) == lists + 2

        again = await counting.count(bot.app.sessions, bot.app.core.deps)
        assert again.posts == 3 and facts(await direct_posts(bot)) == facts(found)  # idempotent

        graph.posts[news.id].message = "Lớp học miễn phí cho các em"  # the hashtag removed
        graph.posts[story.id].deleted = True
        await counting.count(bot.app.sessions, bot.app.core.deps)
        later = await direct_posts(bot)
        assert later[news.id].gone_at is not None and later[story.id].gone_at is not None
        assert later[str(site["id"])].gone_at is None

        graph.posts[news.id].message = "Lớp học miễn phí #moingay1tintot"  # put back
        await counting.count(bot.app.sessions, bot.app.core.deps)
        assert (await direct_posts(bot))[news.id].gone_at is None
    finally:
        await bot.stop()


async def test_a_week_covered_only_by_direct_posts_counts_and_is_not_nudged(
    db_url: str,
    fake: FakeTelegram,
    pages_graph: FakeGraph,
    wp: FakeWordPress,
    tmp_path: Path,
) -> None:
    """The district posts on its own site itself this week, through no member: /report, the
    board and the weekly nudge all count its week; Bình Hưng Hòa, with nothing, is nudged."""
    port = free_port()
    org = pages_org(tmp_path, reports='weekly_nudge = "tue 10:00"')
    bot = pages_bot(db_url, fake, pages_graph, wp, org, **board_settings(port))
    await bot.start()
    try:
        assert bot.app is not None
        site = wp.site_post("Ngày hội hiến máu", "Hơn 200 người #moingay1tintot", FROZEN)
        async with bot.app.sessions.begin() as session:
            for unit, who in ((DISTRICT, "telegram:5001"), ("p-bhh", "telegram:5002")):
                await contacts.add(session, unit_code=unit, who=who, by="test")
        await counting.count(bot.app.sessions, bot.app.core.deps)

        report = (await bot.member(ADMIN, "Bí thư").send("/report tuan", "Báo cáo")).plain or ""
        assert "Quận Đoàn Bình Tân: 1/1 tuần, 0 tin + 1 bài tự đăng" in report
        assert "tự đăng trên trang riêng (có hashtag, không qua bot): 1 bài" in report

        async with bot.app.sessions.begin() as session:  # Tuesday 10:00, the nudge's hour
            at = FROZEN + timedelta(hours=1)
            await weekly_nudge.units(session, deps=bot.app.core.deps, now=at)
        nudged = {row.chat_id for row in await notices(bot, "notice/unit_nudge.j2")}
        assert "5002" in nudged and "5001" not in nudged

        async with serve_board(bot, port):
            link = await link_from_bot(bot, ADMIN)
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as web:
                status, page = await sign_in(web, link)
        assert status == 200
        district = page[page.index(f'data-unit="{DISTRICT}"') :][:400]
        assert "Đã đăng: 0 + 1 tự đăng" in district
        assert f'href="{site["link"]}"' in page and "wordpress:quan" in page
    finally:
        await bot.stop()
