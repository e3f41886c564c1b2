"""Every unit's own page (#23): a base's approved item goes to the organisation's channel and
page and to the base's own fanpage, once each, and to the district's site, which takes its
bases' items; another base's item never reaches that fanpage. What the bases post on their
pages themselves is counted (the bot's own posts are not counted twice), edits and
deletions included, and covers their weeks."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import pytest

from handlers.jobs import weekly_nudge
from handlers.pages import counting
from storage import contacts
from storage.models import DirectPost
from tests.conftest import FROZEN, running
from tests.harness import ADMIN, CHANNEL, ED1, Harness, free_port
from tests.platforms.facebook.fake_graph import PAGE, TOKEN, FakeGraph
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.wordpress.fake_wordpress import PASSWORD, USER, FakeWordPress
from tests.support.board import board_settings, link_from_bot, serve_board, sign_in
from tests.support.cli import run_bot_beside
from tests.support.flows import card, press, submit_raw
from tests.support.pages import (
    ANLAC,
    ANLAC_NAME,
    ANLAC_TOKEN,
    BHH,
    BHH_NAME,
    BHH_TOKEN,
    DISTRICT,
    direct_posts,
    first_round,
    notices,
    november_workbook,
    pages_bot,
    pages_org,
    posts_of,
    readings,
    report_text,
)
from tests.support.sites import until


class Start(Protocol):
    def __call__(
        self, *, reports: str = "", **extra: Any
    ) -> AbstractAsyncContextManager[Harness]: ...


@pytest.fixture
def start(
    db_url: str, fake: FakeTelegram, pages_graph: FakeGraph, wp: FakeWordPress, tmp_path: Path
) -> Start:
    """The bot of every story here (``pages_bot``: the units' pages and the district's site),
    started for a block and stopped after it; ``reports`` adds to the org file's [reports],
    ``extra`` to the settings. A story may start it twice, as an office restarts it."""

    def bot(*, reports: str = "", **extra: Any) -> AbstractAsyncContextManager[Harness]:
        org = pages_org(tmp_path, reports=reports)
        return running(pages_bot(db_url, fake, pages_graph, wp, org, **extra))

    return bot


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
    await fake.wait_for(user, "đã được đăng")


async def test_a_bases_item_reaches_its_own_page_and_the_district_site_once_each(
    start: Start, fake: FakeTelegram, pages_graph: FakeGraph, wp: FakeWordPress
) -> None:
    graph = pages_graph
    async with start() as bot:
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
        # The card shows each of the four targets with its own status, the pages by their id.
        shown = (await card(fake, f"Facebook {BHH} ✓")).plain or ""
        assert f"Telegram ✓ · Facebook {PAGE} ✓ · Facebook {BHH} ✓ · Website ✓" in shown


async def test_bases_own_posts_are_counted_once_and_follow_edits_and_deletions(
    start: Start, fake: FakeTelegram, pages_graph: FakeGraph, wp: FakeWordPress
) -> None:
    graph = pages_graph
    graph.page_size = 2  # An Lạc's page answers two posts at a time: paging.next is followed
    wp.page_size = 1  # and the site one post a page
    async with start() as bot:
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
        await first_round(graph)
        feeds, lists = (
            graph.calls.count(("GET", f"{ANLAC}/posts")),
            wp.calls.count(("GET", "/posts")),
        )
        async with bot.app.sessions.begin() as session:  # once in 6 hours, across workers
            deps = bot.app.core.deps
            assert not await counting.claim(session, deps=deps, now=bot.now)
            assert await counting.claim(session, deps=deps, now=bot.now + timedelta(hours=6))

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


async def test_a_week_covered_only_by_direct_posts_counts_and_is_not_nudged(
    start: Start, fake: FakeTelegram, pages_graph: FakeGraph, wp: FakeWordPress
) -> None:
    """The district posts on its own site itself this week, through no member: /report, the
    board and the weekly nudge all count its week; Bình Hưng Hòa, with nothing, is nudged."""
    port = free_port()
    async with start(reports='weekly_nudge = "tue 10:00"', **board_settings(port)) as bot:
        assert bot.app is not None
        # The readers are in place once every platform has signed in: a count before that
        # would skip the site (CI once read it too early and counted nothing).
        await first_round(pages_graph)
        site = wp.site_post("Ngày hội hiến máu", "Hơn 200 người #moingay1tintot", FROZEN)
        async with bot.app.sessions.begin() as session:
            for unit, who in ((DISTRICT, "telegram:5001"), ("p-bhh", "telegram:5002")):
                await contacts.add(session, unit_code=unit, who=who, by="test")
        await counting.count(bot.app.sessions, bot.app.core.deps)

        report = await report_text(bot, fake, "tuan")
        assert "Quận Đoàn Bình Tân: 1/1 tuần, 0 tin + 1 bài tự đăng" in report
        assert "tự đăng trên trang riêng (có hashtag, không qua bot): 1 bài" in report
        assert f"facebook:{ANLAC} (trang của {ANLAC_NAME}): 0/7 ngày" in report

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


async def test_two_readings_at_once_keep_the_newer_answer(
    start: Start, fake: FakeTelegram, pages_graph: FakeGraph, wp: FakeWordPress
) -> None:
    """The 6-hour round reads the district's site slowly; meanwhile its editor posts and an
    admin runs ``count-pages``. That reading waits for the slow one to end, then reads: the
    slow one's older answer (no post) never undoes what the newer one saw."""
    async with start() as bot:
        assert bot.app is not None
        deps = bot.app.core.deps
        await first_round(pages_graph)
        lists = wp.calls.count(("GET", "/posts"))
        assert lists == 1  # the round at start read the site too, its sign-in checked first
        wp.hold_list = asyncio.Event()
        held = wp.hold_list
        slow = asyncio.create_task(counting.count(bot.app.sessions, deps))
        await until(lambda: wp.calls.count(("GET", "/posts")) == lists + 1, 30)
        site = wp.site_post("Ngày hội hiến máu", "Hơn 200 người #moingay1tintot", FROZEN)
        admins = asyncio.create_task(counting.count(bot.app.sessions, deps))
        await asyncio.sleep(2 * counting.WAIT_STEP)  # long enough to have read, had it not waited
        assert wp.calls.count(("GET", "/posts")) == lists + 1
        held.set()
        first, second = await asyncio.gather(slow, admins)
        assert wp.calls.count(("GET", "/posts")) == lists + 2
        assert (first.posts, second.posts) == (0, 1) and not first.failed + second.failed
        [row] = (await direct_posts(bot)).values()
        assert (row.post_id, row.gone_at) == (str(site["id"]), None)


async def test_pages_followers_over_the_year_in_the_workbook_and_the_report(
    start: Start, fake: FakeTelegram, pages_graph: FakeGraph, wp: FakeWordPress
) -> None:
    """Read on 2 January, 1 November and 17 November (at most once a day): An Lạc's page grew
    6% this year, past the 5% aim; Bình Hưng Hòa's 2%."""
    graph = pages_graph
    graph.audience = {ANLAC: (1060, 1020), BHH: (510, 500)}
    async with start() as bot:
        assert bot.app is not None
        deps = bot.app.core.deps
        # Today's reading: the scheduler's own round at start (Bình Hưng Hòa's page is last).
        await first_round(graph)
        for at, anlac, bhh in (
            (datetime(2026, 1, 2, 2, 0, tzinfo=UTC), 1000, 500),
            (datetime(2026, 11, 1, 2, 0, tzinfo=UTC), 1030, 505),
        ):
            bot.now = at
            graph.audience |= {ANLAC: (anlac, anlac - 40), BHH: (bhh, bhh - 10)}
            await counting.count(bot.app.sessions, deps)
        bot.now = FROZEN
        graph.audience[ANLAC] = (9999, 9999)  # read again the same day: not kept
        assert (await counting.count(bot.app.sessions, deps)).audiences == 0
        kept = [(r.target, r.day, r.followers, r.fans) for r in await readings(bot)]
        assert len(kept) == 6 and (ANLAC, "2026-11-17", 1060, 1020) in kept

        report = await report_text(bot, fake, "thang")
        assert "1/2 trang đã tăng từ 5% người theo dõi trở lên" in report
        book = await november_workbook(bot)
        sheet = book["Trang"]
        rows = {r[1]: r for r in sheet.iter_rows(min_row=6, values_only=True) if r[1]}
        assert rows[f"facebook:{ANLAC}"][:5] == (ANLAC_NAME, f"facebook:{ANLAC}", 1060, 1030, 1000)
        assert (
            rows[f"facebook:{ANLAC}"][6] == pytest.approx(0.06)
            and rows[f"facebook:{ANLAC}"][7] == "Đạt"
        )
        assert rows[f"facebook:{BHH}"][2:5] == (510, 505, 500)
        assert rows[f"facebook:{BHH}"][7] == "Chưa đạt"
        assert "Đạt mục tiêu năm (5%)" in [c.value for c in sheet[5]]


async def test_posts_held_for_an_expired_page_token_go_once_it_is_renewed(
    start: Start, fake: FakeTelegram, pages_graph: FakeGraph, wp: FakeWordPress
) -> None:
    """An Lạc's page token has expired: its post waits (the admins are told) while the other
    targets get theirs. The office renews the token and restarts: the check at start passes
    and the held post goes at once, not at the next retry a quarter of an hour later."""
    graph = pages_graph
    graph.expire(ANLAC)
    async with start() as bot:
        for _ in range(600):  # the start's check tells the admins, once
            told = await notices(bot, "platforms/facebook/notice_token.j2")
            if told:
                break
            await asyncio.sleep(0.05)
        assert [row.context["page"] for row in told] == [ANLAC]
        mark = fake.mark()
        await submit_raw(bot.member(1001, "Lan", None), fake)
        await card(fake, after=mark)
        press(fake, ED1, "Duyệt")
        await until(lambda: len(graph.live(PAGE)) == 1 and len(wp.published()) == 1, 30)
        await until(lambda: ("POST", f"{ANLAC}/feed") in graph.calls, 30)
        assert graph.live(ANLAC) == []

    renewed = "EAAGrenewed0123456789abcdefpagetoken"
    graph.renew(ANLAC, renewed)
    tokens = ",".join(f"{p}:{t}" for p, t in {PAGE: TOKEN, ANLAC: renewed, BHH: BHH_TOKEN}.items())
    async with start(facebook_page_tokens=tokens) as bot:
        await fake.wait_for(1001, "đã được đăng")
        [post] = graph.live(ANLAC)
        assert "#moingay1tintot" in (post.message or "")


async def test_count_pages_from_the_shell_and_a_page_without_its_token(
    db_url: str, pages_graph: FakeGraph, wp: FakeWordPress, tmp_path: Path
) -> None:
    """``python -m bot count-pages`` reads every unit's page now; a unit naming a page the
    settings have no token for stops the start with one line naming the unit and the fix."""
    graph = pages_graph
    today = datetime.now(UTC)  # the command runs on the real clock
    graph.page_post(ANLAC, "Ra quân mùa đông #moingay1tintot", today - timedelta(hours=3))
    graph.audience[ANLAC] = (1200, 1100)
    tokens = {PAGE: TOKEN, ANLAC: ANLAC_TOKEN, BHH: BHH_TOKEN}
    env = {
        "DATABASE_URL": db_url,
        "ORG_CONFIG": str(pages_org(tmp_path)),
        "PUBLISH_TARGETS": f"facebook:{PAGE}",
        "FACEBOOK_PAGE_TOKENS": ",".join(f"{p}:{t}" for p, t in tokens.items()),
        "FACEBOOK_GRAPH_BASE": graph.base,
        "WORDPRESS_SITES": f"quan={wp.base_url}",
        "WORDPRESS_CREDENTIALS": f"quan={USER}:{PASSWORD}",
    }
    code, out, err = await run_bot_beside(env, "count-pages")
    assert code == 0, err
    assert "Đã đọc 3 trang của các đơn vị: 1 bài" in out and "của 2 trang" in out

    del tokens[BHH]
    env["FACEBOOK_PAGE_TOKENS"] = ",".join(f"{p}:{t}" for p, t in tokens.items())
    code, out, err = await run_bot_beside(env, "count-pages")
    [line] = err.strip().splitlines()
    assert code == 2 and "units (p-bhh) targets" in line
    assert f"chưa có mã truy cập cho trang facebook:{BHH}" in line
    assert "FACEBOOK_PAGE_TOKENS" in line and ANLAC_TOKEN not in line
