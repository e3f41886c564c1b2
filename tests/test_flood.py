"""One member cannot stall everyone: replies leave each chat at Telegram's pace (a short
burst, then one a second into a private chat) without holding up other members, a flooding
member is told once and only their latest message is handled, and 30 photos past the album's
limit get one answer.

The paced tests run Telegram's clock four times faster (a private chat's second lasts 0.25 s,
for the bot and for the fake alike), so that a flood drains in seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.runtime.ratelimit import BURST
from handlers.engine.flood import LIMIT
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram, Sent

NOW = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
PACE = 0.25  # seconds: a private chat's "second"
SPAM, MINH, LAN = 5401, 5402, 5403
TOO_FAST = "gửi nhanh quá"


@pytest.fixture
async def paced(db_url: str, fake: FakeTelegram) -> AsyncIterator[Harness]:
    fake.enforce_flood_limits(period=60 * PACE, private_chats=True)
    harness = Harness(db_url=db_url, fake=fake, now=NOW, telegram_chat_pace=PACE)
    await harness.start()
    # The platform starts beside the scheduler's first tick (bot/serve/keeper.py): the flood
    # must begin once the bot polls, or its first answers are measured against the start.
    await fake.until(lambda: any(method == "getUpdates" for method, _ in fake.calls))
    try:
        yield harness
    finally:
        await harness.stop()


def sends_to(fake: FakeTelegram, chat: int) -> list[Sent]:
    return [s for s in fake.sent if s.chat_id == chat and not s.method.startswith("edit")]


async def settled(fake: FakeTelegram, chat: int, *, quiet: float, limit: float) -> list[Sent]:
    """The chat's messages once none has come for ``quiet`` seconds (at most ``limit``)."""
    deadline, count, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        now_count = len(sends_to(fake, chat))
        if now_count != count:
            count, since = now_count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        await asyncio.sleep(0.05)
    return sends_to(fake, chat)


async def test_a_flooding_member_slows_nobody_and_is_told_once(
    paced: Harness, fake: FakeTelegram
) -> None:
    minh = paced.member(MINH, "Minh", "minh_dv")
    await minh.register()

    mark = fake.mark()
    for n in range(199):  # as fast as a script can
        fake.push_text(SPAM, f"tin rác {n}", first_name="Spam")
    fake.push_text(SPAM, "/huongdan", first_name="Spam")  # the latest: a real question
    await fake.wait_for(SPAM, after=mark)  # the flood is being handled

    asked = fake.mark()
    fake.push_text(MINH, "/gui", first_name="Minh")
    await fake.wait_for(MINH, "Bạn muốn gửi gì", after=asked)  # not behind Spam

    got = await settled(fake, SPAM, quiet=4 * PACE * 2, limit=60)
    texts = [s.plain or "" for s in got]
    assert sum(TOO_FAST in text for text in texts) == 1  # told once, not 180 times
    assert len(got) <= LIMIT + 4  # the first LIMIT, the notice, the last of each batch
    assert "Cách gửi tin tốt" in texts[-1]  # the latest (/huongdan) was handled
    # Never faster than the chat's limit in the fake's log: a burst of BURST, then the pace.
    gaps = [later.at - first.at for first, later in zip(got, got[BURST:], strict=False)]
    assert min(gaps) >= PACE - 1e-3
    assert fake.flood_429s == 0


async def test_a_member_typing_fast_is_not_flooding(bot: Harness, fake: FakeTelegram) -> None:
    lan = bot.member(LAN)
    await lan.send("/start", "Chọn đơn vị")
    mark = fake.mark()
    for n in range(LIMIT - 1):  # with /start, LIMIT messages within a second: not a flood
        fake.push_text(LAN, f"xin chào {n}")
    got = await settled(fake, LAN, quiet=2.0, limit=30)
    assert len([s for s in got if fake.sent.index(s) >= mark]) >= LIMIT - 1  # each answered
    assert not any(TOO_FAST in (s.plain or "") for s in got)


async def test_thirty_photos_past_the_limit_get_one_answer(
    bot: Harness, fake: FakeTelegram
) -> None:
    lan = bot.member(LAN)
    await lan.register()
    await lan.start_raw()
    for answer, prompt in zip(
        ["Sáng 15/11", "Trường THCS An Lạc", "Cô Lan", "Dạy thêm miễn phí", "Lan tỏa"],
        ["Địa điểm", "Nhân vật", "Mục đích", "Ý nghĩa", "Ảnh"],
        strict=True,
    ):
        await lan.send(answer, prompt)
    mark = fake.mark()
    for n in range(10):
        fake.push_photo(LAN, file_id=f"FULL{n}", media_group_id="album-full")
    await fake.wait_for(LAN, "Đã nhận album", after=mark)  # its first part is answered
    await fake.idle(settle=0.3)  # and the other nine stored
    for n in range(30):  # one by one, past the limit
        fake.push_photo(LAN, file_id=f"EXTRA{n}")
    got = await settled(fake, LAN, quiet=2.0, limit=40)
    full = [s for s in got if "không được lưu" in (s.plain or "")]
    assert len(full) == 1
    assert not any(TOO_FAST in (s.plain or "") for s in got)  # photos never count as a flood
