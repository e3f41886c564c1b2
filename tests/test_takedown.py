"""Editors correct or take down a published item everywhere it went: the card's "Gỡ bài"
button and ``/gobai``, ``/suabai``; each target answers for itself (Telegram within its
48 hours, WordPress update and trash, Zalo refusing both), the member is told, the audit
log and the reports keep it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.reports.periods import parse_period
from handlers.reports.report import build_report
from storage.models import Audit
from tests.harness import CHANNEL, ED1, EDITORS, Harness, settings_for
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.wordpress.fake_wordpress import FakeWordPress
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.flows import card, press
from tests.support.sites import NOW, approved, site_bot

GROUP = "zalo-group-1"


async def published(bot: Harness, fake: FakeTelegram, wp: FakeWordPress) -> None:
    await approved(bot, fake)
    await fake.wait_for(1001, "đã được đăng")
    assert len(wp.published()) == 1 and fake.messages(CHANNEL)


async def test_the_card_button_takes_the_post_down_everywhere(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    bot = site_bot(db_url, fake, wp)
    await bot.start()
    try:
        await published(bot, fake, wp)
        shown = await card(fake, "📢 Telegram ✓ · Website ✓")
        labels = [label for row in shown.buttons for label, _ in row]
        assert labels == ["🗑 Gỡ bài", "🗓 Chủ đề"]  # taking it down, or correcting its theme
        press(fake, ED1, "Gỡ bài")
        await card(fake, "Gỡ bài #1 khỏi mọi nơi")
        mark = fake.mark()
        press(fake, ED1, "Chắc chắn gỡ bài")
        answer = await fake.wait_for(EDITORS, "Gỡ bài #1", after=mark)
        text = answer.plain or ""
        assert f"Telegram ({CHANNEL}): ✓ đã gỡ" in text and "Website (doan): ✓ đã gỡ" in text
        assert not fake.messages(CHANNEL)  # both photos of the album deleted
        assert [p["status"] for p in wp.posts.values()] == ["trash"]
        await fake.wait_for(1001, "đã được ban biên tập gỡ")
        await card(fake, "Đã gỡ bài", after=mark)
        [sub] = await bot.submissions()
        assert sub.status == "published" and sub.taken_down_at is not None  # still counted
        assert bot.app is not None
        async with bot.app.sessions() as session:
            rows = (await session.exec(select(Audit).where(Audit.action == "take_down"))).all()
            deps = bot.app.core.deps
            month, _ = parse_period("thang", today=bot.now.astimezone(deps.tz).date(), tz=deps.tz)
            report = await build_report(session, deps=deps, period=month, unit=None)
        assert [row.actor for row in rows] == [f"telegram:{ED1}"]
        assert (report.totals["published"], report.totals["taken_down"]) == (1, 1)
        summary = Say("report/summary.j2", {"data": report, "tz": deps.tz})
        assert "đăng 1 (đã gỡ 1)" in render(summary, "plain")
    finally:
        await bot.stop()


async def test_correction_then_a_late_take_down_with_zalo_refusing_both(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress, zalo: FakeZalo
) -> None:
    zalo.add_chat(GROUP)
    extra = settings_for(zalo, publish_targets=f"telegram:{CHANNEL},wordpress:doan,zalo:{GROUP}")
    bot = site_bot(db_url, fake, wp, **{**extra, "editor_ids": f"telegram:{ED1}"})
    await bot.start()
    try:
        await published(bot, fake, wp)
        await zalo.wait_for(GROUP, "#moingay1tintot")
        editor = bot.member(ED1, "Minh")
        fixed = "Cô Hoa <b>mở lớp</b> & dạy miễn phí"
        answer = await editor.send(f"/suabai 1 {fixed}", "Sửa bài #1")
        text = answer.plain or ""
        assert f"Telegram ({CHANNEL}): ✓ đã sửa" in text and "Website (doan): ✓ đã sửa" in text
        assert f"Zalo ({GROUP}): ✗ nền tảng không cho phép sửa" in text
        caption = fake.messages(CHANNEL)[0].plain or ""
        assert fixed in caption and "#moingay1tintot" in caption  # shown literally
        [post] = wp.posts.values()
        assert "Cô Hoa &lt;b&gt;mở lớp&lt;/b&gt; &amp; dạy" in post["content"]
        await fake.wait_for(1001, "đã sửa nội dung tin #1")

        bot.now = NOW + timedelta(hours=49)  # Telegram lets a bot delete for 48 hours only
        answer = await editor.send("/gobai 1", "Gỡ bài #1")
        text = answer.plain or ""
        assert "quá 48 giờ" in text and "Website (doan): ✓ đã gỡ" in text
        assert f"Zalo ({GROUP}): ✗ nền tảng không cho phép gỡ" in text
        assert not [call for call in fake.calls if call[0] == "deleteMessage"]
        assert len(fake.messages(CHANNEL)) == 2 and wp.published() == []
        again = await editor.send("/gobai 1", "đã được gỡ lúc")
        assert "Bài #1" in (again.plain or "")
    finally:
        await bot.stop()


async def test_a_member_or_a_wrong_number_changes_nothing(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    bot = site_bot(db_url, fake, wp)
    await bot.start()
    try:
        await published(bot, fake, wp)
        lan = bot.member(1001)
        await lan.send("/gobai 1", "Chỉ ban biên tập")
        editor = bot.member(ED1, "Minh")
        await editor.send("/gobai 99", "Cách dùng")
        await editor.send("/suabai 1", "Cách dùng")
        assert len(wp.published()) == 1 and len(fake.messages(CHANNEL)) == 2
    finally:
        await bot.stop()


async def test_gobai_in_the_editors_group_answers_at_once_and_reports_each_target_after(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    """The site is slow to trash the post: the editor's /gobai, typed in the editors' group,
    is answered at once (the targets are asked through the outbox, not inside the bot's
    handling of the command), and each target's result follows in the group."""
    bot = site_bot(db_url, fake, wp)
    await bot.start()
    try:
        await published(bot, fake, wp)
        wp.fail_next("DELETE", "/posts", 200, hang=2.0)  # trashed at once, answered 2 s later
        mark = fake.mark()
        fake.push_text(ED1, "/gobai 1", chat_id=EDITORS, first_name="Minh")
        queued = await fake.wait_for(EDITORS, "Đang gỡ bài #1 ở 2 nơi", after=mark)
        result = await fake.wait_for(EDITORS, "Gỡ bài #1", after=mark)
        assert fake.sent.index(queued) < fake.sent.index(result)
        text = result.plain or ""
        assert f"Telegram ({CHANNEL}): ✓ đã gỡ" in text and "Website (doan): ✓ đã gỡ" in text
        assert not fake.messages(CHANNEL) and wp.published() == []
    finally:
        await bot.stop()
