"""An approved item reaches a WordPress site through the outbox, beside the Telegram channel:
once, with its photos uploaded, its hashtags as tags and its kind as a category, the member's
text shown literally; draft sites; and every error WordPress gives."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import ValidationError

from bot.platforms.registry import chat_names
from bot.settings import Settings, describe_error, secret_values
from handlers.engine.texts import render
from handlers.engine.types import Say
from storage.models import OutboxStatus
from tests.harness import ADMIN, CHANNEL, EDITORS, ORG
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.wordpress.fake_wordpress import PASSWORD, USER, FakeWordPress
from tests.support.sites import NOW, approved, post_rows, site_bot, until

EVIL = "<script>alert(1)</script> & co"


async def test_an_approved_item_reaches_the_site_once_with_photos_tags_and_category(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    bot = site_bot(db_url, fake, wp)
    await bot.start()
    try:
        await approved(bot, fake, ["Sáng 15/11", "Nhà văn hóa", EVIL, "Dạy học", "Lan tỏa"])
        await fake.wait_for(CHANNEL, "#moingay1tintot")
        await until(lambda: len(wp.posts) == 1)
        [post] = wp.posts.values()
        assert post["status"] == "publish"
        assert wp.tag_names(post) == ["moingay1tintot", "tuoitrebinhtan"]  # the org's own too
        assert [wp.terms["categories"][i] for i in post["categories"]] == ["Tin tốt"]
        assert len(wp.media) == 2 and post["featured_media"] == min(wp.media)
        second = wp.media[max(wp.media)]["source_url"]
        assert f'<figure><img src="{second}"' in post["content"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in post["content"]
        assert "<script>" not in post["content"]
        assert "Đoàn phường An Lạc" in post["content"] and "Nhà giáo trẻ" in post["title"]
        published = await fake.wait_for(1001, "đã được đăng")
        assert post["link"] in (published.plain or "")
        await asyncio.sleep(0.3)
        assert len(wp.posts) == 1 and [m for m, p in wp.calls if p == "/posts"] == ["POST"]
        [sub] = await bot.submissions()
        assert sub.status == "published"
    finally:
        await bot.stop()


async def test_a_draft_site_keeps_the_post_for_its_own_editor(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    bot = site_bot(db_url, fake, wp, status="draft")
    await bot.start()
    try:
        await approved(bot, fake)
        await until(lambda: len(wp.posts) == 1)
        [post] = wp.posts.values()
        assert post["status"] == "draft"
        published = await fake.wait_for(1001, "đã được đăng")
        assert post["link"] not in (published.plain or "")  # a draft has no public link
    finally:
        await bot.stop()


async def test_a_revoked_password_holds_the_post_and_tells_the_admins_once(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    bot = site_bot(db_url, fake, wp)
    await bot.start()
    try:
        await bot.member(ADMIN, "Minh").send("/start", "Chọn đơn vị")  # a chat to be told in
        wp.revoke()  # mid-run: the start-up check had passed
        await approved(bot, fake)
        told = await fake.wait_for(ADMIN, "Mật khẩu ứng dụng")
        assert "incorrect_password" in (told.plain or "") and PASSWORD not in (told.plain or "")
        assert not wp.posts
        rows = [r for r in await post_rows(bot) if r.platform == "wordpress"]
        assert [r.status for r in rows] == [OutboxStatus.QUEUED]  # held, not failed
        wp.restore()
        bot.now = NOW.replace(hour=3)  # the 15 minutes' hold has passed
        await until(lambda: len(wp.posts) == 1)
        assert (
            len([s for s in fake.sent if s.chat_id == ADMIN and "WordPress" in (s.plain or "")])
            == 1
        )
    finally:
        await bot.stop()


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_busy_or_failing_site_is_tried_again_and_posts_once(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress, status: int
) -> None:
    bot = site_bot(db_url, fake, wp)
    await bot.start()
    try:
        wp.fail_next("POST", "/posts", status, headers={"Retry-After": "1"})
        await approved(bot, fake)
        await until(lambda: len(wp.posts) == 1)
        await asyncio.sleep(0.5)
        assert len(wp.posts) == 1
    finally:
        await bot.stop()


async def test_a_refused_post_fails_with_the_reason_on_the_card(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    bot = site_bot(db_url, fake, wp)
    await bot.start()
    try:
        wp.fail_next("POST", "/posts", 400, code="rest_invalid_param")
        await approved(bot, fake)
        shown = await fake.wait_for(EDITORS, "Website ✗")
        assert "rest_invalid_param" in (shown.plain or "") and "Telegram ✓" in (shown.plain or "")
        [row] = [r for r in await post_rows(bot) if r.platform == "wordpress"]
        assert row.status == OutboxStatus.FAILED
    finally:
        await bot.stop()


async def test_an_unanswered_post_needs_check_and_is_never_posted_twice(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    bot = site_bot(db_url, fake, wp)
    bot.settings.wordpress_timeout_seconds = 0.5
    await bot.start()
    try:
        wp.fail_next("POST", "/posts", 200, hang=1.0)  # it is posted, the answer comes too late
        await approved(bot, fake)
        shown = await fake.wait_for(EDITORS, "Website ✗")
        assert "Không rõ đã đăng lên wordpress:doan" in (shown.plain or "")
        await until(lambda: len(wp.posts) == 1)
        bot.now = NOW.replace(hour=5)
        await asyncio.sleep(0.5)
        assert len(wp.posts) == 1
        [row] = [r for r in await post_rows(bot) if r.platform == "wordpress"]
        assert row.status == OutboxStatus.NEEDS_CHECK
    finally:
        await bot.stop()


def test_wrong_settings_name_the_variable_and_the_password_stays_secret() -> None:
    base: dict[str, Any] = {
        "_env_file": None,
        "org_config": ORG,
        "publish_targets": "wordpress:doan",
    }
    site, login = "doan=https://doan.example", f"doan={USER}:{PASSWORD}"
    sites, logins = "wordpress_sites", "wordpress_credentials"
    wrong: list[tuple[dict[str, Any], str, str]] = [
        ({logins: login}, "WORDPRESS_SITES", "wordpress/site_missing"),
        ({sites: site}, "WORDPRESS_CREDENTIALS", "wordpress/login_missing"),
        ({sites: "doan=http://doan.example", logins: login}, "WORDPRESS_SITES", "wordpress/url"),
        ({sites: site, logins: f"doan={PASSWORD}"}, "WORDPRESS_CREDENTIALS", "wordpress/login"),
        ({sites: site, logins: PASSWORD}, "WORDPRESS_CREDENTIALS", "wordpress/login"),
        ({sites: "doan", logins: login}, "WORDPRESS_SITES", "named_format"),
    ]
    for values, variable, key in wrong:
        with pytest.raises(ValidationError) as caught:
            Settings(**(base | values))
        name, found, value = describe_error(caught.value)
        assert (name, found) == (variable, key)
        said = {"name": name, "key": found, "value": value, "chats": chat_names()}
        line = render(Say("cli/config_error.j2", said), "plain")
        assert variable in line and PASSWORD not in line and PASSWORD.split()[0] not in line
    good: dict[str, Any] = {sites: site, logins: login, "wordpress_status": "doan=draft"}
    settings = Settings(**(base | good))
    assert PASSWORD in secret_values(settings) and PASSWORD not in repr(settings)
    assert settings.wordpress_status == {"doan": "draft"}
