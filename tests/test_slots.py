"""Posting slots with a frozen clock: approved items wait, one goes out per slot, oldest
approved first, and "Đăng ngay" lets one go at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from handlers.jobs.schedule import tick
from tests.fake_base import PATIENCE
from tests.harness import CHANNEL, ED1, EDITORS, Harness, org_file
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.flows import card, press, submit_raw

MONDAY_9H = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
TUESDAY_0731 = datetime(2026, 11, 17, 0, 31, tzinfo=UTC)  # just after the 07:30 slot


@pytest.fixture
async def slotted(db_url: str, fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[Harness]:
    org = org_file(tmp_path, "slots", 'tin_tot = "07:30"\ncau_chuyen_dep = "sun 19:00"')
    harness = Harness(
        db_url=db_url,
        fake=fake,
        now=MONDAY_9H,
        org_config=org,
        editor_chat_id=EDITORS,
        editor_ids=f"telegram:{ED1}",
        publish_targets=f"telegram:{CHANNEL}",
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def run_tick(desk: Harness) -> None:
    assert desk.app is not None
    async with desk.app.sessions() as session, session.begin():
        await tick(session, deps=desk.app.core.deps, now=desk.now)


async def test_one_item_per_slot_oldest_first(slotted: Harness, fake: FakeTelegram) -> None:
    await submit_raw(slotted.member(1101), fake, ["Sáng 1", "A", "Người thứ nhất", "B", "C"])
    await card(fake)
    press(fake, ED1, "Duyệt")
    approved = await card(fake, "chờ khung giờ đăng")
    assert any("Đăng ngay" in label for row in approved.buttons for label, _ in row)
    await submit_raw(slotted.member(1102), fake, ["Sáng 2", "A", "Người thứ hai", "B", "C"])
    mark = fake.mark()
    await card(fake, "Người thứ hai", after=mark - 5)
    press(fake, ED1, "Duyệt")
    notice = await fake.wait_for(1102, "khung giờ đăng sắp tới")
    assert notice
    await run_tick(slotted)
    await fake.idle()
    assert not [s for s in fake.sent if s.chat_id == CHANNEL]  # 09:00 Monday: no slot yet

    slotted.now = TUESDAY_0731
    await run_tick(slotted)
    await run_tick(slotted)  # the same slot again: nothing more
    first = await fake.wait_for(CHANNEL, "Người thứ nhất")
    await fake.idle()
    assert [s.message_id for s in fake.sent if s.chat_id == CHANNEL] == [first.message_id]

    slotted.now = datetime(2026, 11, 18, 0, 31, tzinfo=UTC)  # Wednesday's slot
    await run_tick(slotted)
    await fake.wait_for(CHANNEL, "Người thứ hai")


async def test_post_now_skips_the_slot(slotted: Harness, fake: FakeTelegram) -> None:
    await submit_raw(slotted.member(1103), fake, kind="Câu chuyện đẹp")
    await card(fake)
    press(fake, ED1, "Duyệt")
    await card(fake, "chờ khung giờ đăng")
    press(fake, ED1, "Đăng ngay")
    post = await fake.wait_for(CHANNEL, "#moituan1cauchuyendep")
    assert post
    [sub] = await slotted.submissions()
    for _ in range(int(PATIENCE / 0.05)):  # each idle() lasts 0.05 s or more
        [sub] = await slotted.submissions()
        if sub.status == "published":
            break
        await fake.idle()
    assert sub.status == "published"
