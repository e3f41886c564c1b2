"""State in the database: restarts, duplicated updates, members who write at the same time."""

from __future__ import annotations

import asyncio

from storage import updates
from storage.db import make_engine, make_sessions
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram


async def test_restart_mid_flow_continues_at_the_same_step(
    bot: Harness, fake: FakeTelegram
) -> None:
    lan = bot.member(3001)
    await lan.register()
    await lan.send("/gui")
    await lan.press("Tin tốt")
    await lan.press("Thông tin thô", "Thời gian")
    await lan.send("Sáng 15/11", "Địa điểm")
    await bot.restart()
    await lan.send("Nhà văn hóa phường", "Nhân vật")
    await bot.restart()
    await lan.raw_answers(["Cô Hoa", "Dạy học"])
    await lan.send("Lan tỏa", "Ảnh")
    await bot.restart()
    await lan.press("Bỏ qua", "Xem lại")
    await lan.press("Gửi", "Đã gửi")
    [sub] = await bot.submissions()
    assert (sub.thoi_gian, sub.dia_diem, sub.nhan_vat, sub.muc_dich, sub.y_nghia) == (
        "Sáng 15/11",
        "Nhà văn hóa phường",
        "Cô Hoa",
        "Dạy học",
        "Lan tỏa",
    )


async def test_duplicated_update_is_handled_once(bot: Harness, fake: FakeTelegram) -> None:
    lan = bot.member(3002)
    await lan.register()
    await lan.send("/gui")
    await lan.press("Tin tốt")
    await lan.press("Thông tin thô", "Thời gian")
    mark = fake.mark()
    update = fake.push_text(3002, "Sáng 15/11", first_name="Lan")
    await fake.wait_for(3002, "Địa điểm", after=mark)
    fake.push_update(update)  # Telegram re-sends it (e.g. our reply to the webhook was lost)
    await fake.idle()
    after = [s for s in fake.sent[mark:] if s.chat_id == 3002 and s.method == "sendMessage"]
    assert len(after) == 1  # one prompt for "Địa điểm", not a second answer stored as the place
    [sub] = await bot.submissions()
    assert sub.thoi_gian == "Sáng 15/11" and sub.dia_diem is None


async def test_two_members_interleaved_never_mix(bot: Harness, fake: FakeTelegram) -> None:
    lan, minh = bot.member(3003, "Lan"), bot.member(3004, "Minh", "minh_dv")
    await lan.register("Đoàn phường An Lạc A")
    await minh.register("Đoàn phường Tân Tạo")
    for chat in (lan, minh):
        await chat.send("/gui")
        await chat.press("Tin tốt")
        await chat.press("Thông tin thô", "Thời gian")
    mark = fake.mark()
    for field in range(5):  # both write before either is answered
        fake.push_text(3003, f"Lan-{field}", first_name="Lan")
        fake.push_text(3004, f"Minh-{field}", first_name="Minh", username="minh_dv")
    await fake.wait_for(3003, "Ảnh", after=mark)
    await fake.wait_for(3004, "Ảnh", after=mark)
    await asyncio.gather(lan.press("Bỏ qua", "Xem lại"), minh.press("Bỏ qua", "Xem lại"))
    await lan.press("Gửi", "Đã gửi")
    await minh.press("Gửi", "Đã gửi")
    subs = {s.unit_code: s for s in await bot.submissions()}
    assert subs["p-anlaca"].thoi_gian == "Lan-0" and subs["p-anlaca"].y_nghia == "Lan-4"
    assert subs["p-tantao"].dia_diem == "Minh-1" and subs["p-tantao"].muc_dich == "Minh-3"


async def test_polling_answers_again_what_a_dead_run_handled_but_never_answered(
    bot: Harness, fake: FakeTelegram
) -> None:
    lan = bot.member(3004)
    await lan.register()
    await lan.send("/gui")
    await lan.press("Tin tốt")
    await lan.press("Thông tin thô", "Thời gian")
    await bot.stop()
    # A run handled this update (its claim committed) and died before its answer was sent
    # and before the next getUpdates confirmed it: Telegram hands it out again.
    update = fake.push_text(3004, "Sáng 15/11", first_name="Lan")
    engine = make_engine(bot.settings.database_url)
    async with make_sessions(engine, bot.clock)() as session, session.begin():
        assert await updates.claim(session, key=f"telegram:{update['update_id']}")
    await engine.dispose()
    mark = fake.mark()
    await bot.start()
    again = await fake.wait_for(3004, after=mark)
    assert "Thời gian" in (again.plain or "")  # the question it stands at, asked again
    await lan.send("Sáng 16/11", "Địa điểm")
    [sub] = await bot.submissions()
    assert sub.thoi_gian == "Sáng 16/11"
