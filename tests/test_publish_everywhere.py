"""One story, everywhere the campaign is counted: an approved item reaches the Telegram
channel, a Facebook Page and a WordPress site once each, with its hashtag and its photos (the
bytes from the bot's own media store, fetched from Telegram, never a Telegram URL); the member
gets every link; an editor then takes it down everywhere from the card."""

from __future__ import annotations

import asyncio

# Imported before the bot starts: importing them inside the running loop stalls it on a busy
# machine longer than the tests' waits.
import bot.platforms.facebook.service
import bot.platforms.telegram.service
import bot.platforms.wordpress.service  # noqa: F401
from bot.platforms.facebook.service import FacebookService
from bot.platforms.protocol import Service
from bot.platforms.wordpress.service import WordPressService
from tests.conftest import FROZEN
from tests.harness import ADMIN, CHANNEL, ED1, EDITORS, Harness
from tests.platforms.facebook.fake_graph import PAGE, TOKEN, FakeGraph
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.wordpress.fake_wordpress import PASSWORD, USER, FakeWordPress
from tests.support.flows import card, press, submit_raw
from tests.support.images import jpeg
from tests.support.sites import until


def everywhere(db_url: str, fake: FakeTelegram, graph: FakeGraph, wp: FakeWordPress) -> Harness:
    return Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        editor_chat_id=EDITORS,
        admin_ids=f"telegram:{ADMIN}",
        editor_ids=f"telegram:{ED1}",
        publish_targets=f"telegram:{CHANNEL},facebook:{PAGE},wordpress:doan",
        facebook_page_tokens=f"{PAGE}:{TOKEN}",
        facebook_graph_base=graph.base,
        wordpress_sites=f"doan={wp.base_url}",
        wordpress_credentials=f"doan={USER}:{PASSWORD}",
    )


async def test_one_story_on_every_target_then_taken_down_everywhere(
    db_url: str, fake: FakeTelegram, graph: FakeGraph, wp: FakeWordPress
) -> None:
    photos = [jpeg(shade=40), jpeg(shade=200)]
    fake.file_bytes |= {"P1001-0": photos[0], "P1001-1": photos[1]}  # submit_raw's file ids
    bot = everywhere(db_url, fake, graph, wp)
    await bot.start()  # the real media store: no test double
    try:
        await until(lambda: ("GET", PAGE) in graph.calls, 30)  # the start's token check
        await submit_raw(bot.member(1001), fake, photos=2)
        await card(fake)
        press(fake, ED1, "Duyệt")
        notice = await fake.wait_for(1001, "đã được đăng")

        [page_post] = graph.live(PAGE)
        [site_post] = wp.published()
        assert "#moingay1tintot" in (page_post.message or "")
        assert wp.tag_names(site_post)[0] == "moingay1tintot"
        assert any("#moingay1tintot" in (s.plain or "") for s in fake.messages(CHANNEL))
        # The same two photos everywhere, as bytes from the store; never a Telegram URL.
        assert sorted(page_post.photos) == sorted(photos) and graph.urls == []
        assert sorted(m["data"] for m in wp.media.values()) == sorted(photos)
        text = notice.plain or ""
        assert page_post.id in text and site_post["link"] in text and "https://t.me/" in text
        await asyncio.sleep(0.3)  # nothing more goes out: once each
        assert len(graph.live(PAGE)) == len(wp.published()) == 1

        shown = await card(fake, "Facebook ✓")
        assert "Telegram ✓" in (shown.plain or "") and "Website ✓" in (shown.plain or "")
        press(fake, ED1, "Gỡ bài")
        await card(fake, "Gỡ bài #1 khỏi mọi nơi")
        mark = fake.mark()
        press(fake, ED1, "Chắc chắn gỡ bài")
        answer = await fake.wait_for(EDITORS, "Gỡ bài #1", after=mark)
        assert (answer.plain or "").count("✓ đã gỡ") == 3
        assert graph.live(PAGE) == [] and wp.published() == [] and not fake.messages(CHANNEL)
        await fake.wait_for(1001, "đã được ban biên tập gỡ")
    finally:
        await bot.stop()


async def test_two_workers_post_each_item_once_on_the_page_and_the_site(
    db_url: str, fake: FakeTelegram, graph: FakeGraph, wp: FakeWordPress
) -> None:
    """A second worker's Facebook and WordPress outboxes beside the bot's, on one database:
    every item is still posted once on each."""
    bot = everywhere(db_url, fake, graph, wp)
    await bot.start()
    assert bot.app is not None
    second: list[Service] = [FacebookService(bot.app), WordPressService(bot.app)]
    stop = asyncio.Event()
    workers = [asyncio.create_task(service.worker().run(stop)) for service in second]
    try:
        await until(lambda: ("GET", PAGE) in graph.calls, 30)
        for user in (1001, 1002, 1003):
            mark = fake.mark()
            await submit_raw(bot.member(user, f"Người {user}"), fake, photos=1)
            await card(fake, after=mark)
            press(fake, ED1, "Duyệt")
        for user in (1001, 1002, 1003):
            await fake.wait_for(user, "đã được đăng")
        await asyncio.sleep(0.5)  # room for a second post, were one to come
        assert len(graph.live(PAGE)) == len(wp.published()) == 3
        assert len([s for s in fake.messages(CHANNEL) if "#moingay1tintot" in (s.plain or "")]) == 3
    finally:
        stop.set()
        await asyncio.gather(*workers)
        for service in second:
            await service.close()
        await bot.stop()
