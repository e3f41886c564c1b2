"""Zalo as people who ran live bots report it: idle polls answered with HTTP 408, texts counted
in UTF-16, a monthly message quota, groups reached by mention, voice messages, and answers
that are not the Bot API at all. The real bot (``serve``) against
``tests/platforms/zalo/fake_zalo.py``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, Literal

import pytest
from sqlmodel import select

from bot.platforms.textsplit import utf16_len
from storage import usage
from storage.models import Outbox
from tests.conftest import FROZEN
from tests.fake_base import PATIENCE
from tests.harness import ADMIN, ZALO_EDITOR, Chat, Harness, settings_for
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import QUOTA_ERROR, FakeZalo, ZaloSent

ZALO_ADMIN = "ad-zalo-01"


class ZaloChat:
    def __init__(self, zalo: FakeZalo, user_id: str) -> None:
        self.zalo, self.id = zalo, user_id

    async def send(self, text: str, expect: str | None = None) -> ZaloSent:
        mark = self.zalo.mark()
        self.zalo.push_text(self.id, text)
        return await self.zalo.wait_for(self.id, expect, after=mark)


@pytest.fixture
async def bot(db_url: str, fake: FakeTelegram, zalo: FakeZalo) -> AsyncIterator[Harness]:
    """Zalo and Telegram, an admin on each, a Zalo editor; a budget of 12 messages a month."""
    zalo.add_chat(ZALO_ADMIN, "PRIVATE")
    extra: dict[str, Any] = {
        "admin_ids": f"telegram:{ADMIN},zalo:{ZALO_ADMIN}",
        "zalo_monthly_message_budget": 12,
    }
    harness = Harness(db_url=db_url, fake=fake, now=FROZEN, **settings_for(zalo, **extra))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.mark.parametrize("shape", ["http", "body"])
async def test_idle_polls_are_quiet_and_the_first_message_is_answered_at_once(
    bot: Harness, zalo: FakeZalo, caplog: pytest.LogCaptureFixture, shape: Literal["http", "body"]
) -> None:
    zalo.empty_poll = shape
    zalo.answer_polls_at_once()
    caplog.set_level(logging.INFO)
    first = len(zalo.poll_times)
    await zalo.until(lambda: len(zalo.poll_times) >= first + 5)  # polling goes on, empty
    polls = zalo.poll_times[first : first + 5]
    # At most ~2 a second however fast Zalo answers (a slow machine only spaces them more).
    assert polls[-1] - polls[0] >= 1.5, polls
    await ZaloChat(zalo, "zu-3001").send("/start", "Chọn đơn vị")
    # An empty poll is no failure: no back-off, so nothing logged as a problem.
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING and "zalo" in r.name]
    assert noisy == []


async def test_every_zalo_send_fits_2000_utf16_units_with_emoji(
    bot: Harness, zalo: FakeZalo
) -> None:
    member = ZaloChat(zalo, "zu-3002")
    await member.send("/start", "Chọn đơn vị")
    await member.send("1", "Đã lưu")
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.send("1", "Bước 2")
    await member.send("2", "Thời gian")
    for limit in [200, 300, 500, 800, 1200]:  # each field full, in emoji (2 units each)
        await member.send("🌱🎉" * (limit // 2))
    await member.send("2", "Bấm Gửi")  # 2. Bỏ qua: no photo
    await member.send("gửi", "Đã gửi")
    editor = ZaloChat(zalo, ZALO_EDITOR)
    await editor.send("/start", "Chọn đơn vị")
    mark = zalo.mark()
    await editor.send("/xem 1", "🌱🎉")
    await zalo.idle()
    shown = [s.text or "" for s in zalo.sent[mark:] if s.chat_id == ZALO_EDITOR]
    # The card (cut to fit Telegram's 4096 units, see handlers/desk/card_fit.py), in parts.
    assert len(shown) >= 3 and sum(utf16_len(text) for text in shown) > 4000
    assert all(utf16_len(s.text or s.caption or "") <= 2000 for s in zalo.sent)
    assert zalo.errors == []


async def test_a_quota_refusal_is_held_admins_told_once_and_sent_after_the_reset(
    bot: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    await Chat(fake, ADMIN, "Quản trị", None).send("/toi", "Mã của bạn")  # a private chat
    member = ZaloChat(zalo, "zu-3003")
    await member.send("/start", "Chọn đơn vị")
    zalo.quota_after = len(zalo.sent)  # the month's messages are used up
    zalo.push_text(member.id, "2")
    zalo.push_text(member.id, "/gui")
    told = await fake.wait_for(ADMIN, "từ chối tin nhắn")
    assert "hạn mức" in (told.plain or "") and "không mất tin nào" in (told.plain or "")
    await zalo.idle()
    await asyncio.sleep(1)  # the outbox has had every chance to tell the admins again
    assert len([s for s in fake.messages(ADMIN) if "từ chối" in (s.plain or "")]) == 1
    assert ("sendMessage", *QUOTA_ERROR) in zalo.errors and not zalo.messages(member.id)[1:]
    assert bot.app is not None
    async with bot.app.sessions() as session:
        held = (await session.exec(select(Outbox).where(Outbox.chat_id == member.id))).all()
    assert [row.status for row in held] == ["queued", "queued"]

    zalo.reset_quota()
    bot.now = bot.now + timedelta(minutes=16)  # the held replies come due
    await zalo.wait_for(member.id, "Đã lưu đơn vị")
    await zalo.wait_for(member.id, "Bạn muốn gửi gì")
    await zalo.wait_for(ZALO_ADMIN, "từ chối tin nhắn")  # held for them too


async def test_the_months_messages_are_counted_warned_once_and_shown_in_the_report(
    bot: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    admin = Chat(fake, ADMIN, "Quản trị", None)
    await admin.send("/toi", "Mã của bạn")  # a private chat with the bot
    member = ZaloChat(zalo, "zu-3004")
    await member.send("/start", "Chọn đơn vị")
    steps = ["1", "/gui", "1", "2", "Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học", "Lan tỏa"]
    for text in steps:
        await member.send(text)  # one message a step: 10 in all, past 80% of 12
    warning = await fake.wait_for(ADMIN, "Sắp hết hạn mức")
    assert "đã gửi 10 trên 12 tin nhắn" in (warning.plain or "")
    await member.send("2", "Bấm Gửi")
    await zalo.idle()
    assert len([s for s in fake.messages(ADMIN) if "Sắp hết" in (s.plain or "")]) == 1
    # The last send's count is written just after Zalo's answer: the report is asked for once
    # every message Zalo took is counted.
    assert bot.app is not None
    sessions, deadline = bot.app.sessions, time.monotonic() + PATIENCE
    while True:
        async with sessions() as session:
            counted = await usage.sent(session, platform="zalo", month="2026-11")
        if counted >= len(zalo.sent) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    mark = fake.mark()
    fake.push_text(ADMIN, "/report", first_name="Quản trị")  # the workbook takes a while
    summary = await fake.wait_for(
        ADMIN, "Tin nhắn bot đã gửi tháng 11/2026", after=mark, timeout=60
    )
    assert f"Zalo: {len(zalo.sent)}" in (summary.plain or "")


async def test_an_admin_learns_a_groups_id_by_mentioning_the_bot(
    bot: Harness, zalo: FakeZalo
) -> None:
    mark = zalo.mark()
    zalo.push_group_text("zu-3005", "grp-77", "@Tin Tốt /toi")  # a member: nothing
    zalo.push_group_text(ZALO_EDITOR, "grp-77", "@Tin Tốt /toi")  # an editor: not for them
    refused = await zalo.wait_for("grp-77", "quản trị viên", after=mark)
    zalo.push_group_text(ZALO_ADMIN, "grp-77", "@Tin Tốt /toi", display_name="Quản trị")
    answer = await zalo.wait_for("grp-77", "zalo:grp-77", after=mark)
    assert "PUBLISH_TARGETS" in (answer.text or "")
    await zalo.idle()
    assert [s.text for s in zalo.messages("grp-77")] == [refused.text, answer.text]


async def test_a_voice_message_or_an_unknown_event_gets_a_polite_answer(
    bot: Harness, zalo: FakeZalo
) -> None:
    mark = zalo.mark()
    zalo.push_voice("zu-3006")
    voice = await zalo.wait_for("zu-3006", "tin nhắn thoại", after=mark)
    assert "chữ" in (voice.text or "") and "ảnh" in (voice.text or "")
    mark = zalo.mark()
    zalo.push_event("message.location.received", "zu-3006")
    await zalo.wait_for("zu-3006", "chưa đọc được loại tin nhắn này", after=mark)
    member = ZaloChat(zalo, "zu-3006")
    await member.send("/start", "Chọn đơn vị")
    await member.send("1", "Đã lưu")
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.send("1", "Bước 2")
    await member.send("2", "Thời gian")
    mark = zalo.mark()
    zalo.push_voice("zu-3006")  # mid-flow: asked again for text, the step kept
    await zalo.wait_for("zu-3006", "tin nhắn thoại", after=mark)
    await member.send("Sáng 15/11", "Địa điểm")


async def test_polling_survives_a_proxy_page_and_an_update_it_cannot_store(
    bot: Harness, zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    zalo.garbage_next("getUpdates")  # an HTML "502 Bad Gateway" from a proxy
    zalo.garbage_next("getUpdates", status=200, body=b"{not json")
    zalo.push_update({"event_name": "message.text.received", "message": "?"})  # no shape
    poison = {
        "event_name": "message.text.received",
        "message": {
            "message_id": "ff01",
            "date": 10**20,  # past any integer a database keeps
            "chat": {"id": "zu-3007", "chat_type": "PRIVATE"},
            "from": {"id": "zu-3007", "display_name": "Hà", "is_bot": False},
            "text": "/start",
        },
    }
    zalo.push_update(poison)
    member = ZaloChat(zalo, "zu-3008")
    await member.send("/start", "Chọn đơn vị")  # polling went on past all four
    skipped = [r for r in caplog.records if "unknown shape skipped" in r.getMessage()]
    assert len(skipped) == 1 and "'message.text.received'" in skipped[0].getMessage()
    assert not zalo.messages("zu-3007")
