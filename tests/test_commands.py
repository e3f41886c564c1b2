"""/start's unit pages, /donvi, /chude, /huongdan and the commands menu."""

from __future__ import annotations

from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram


async def test_unit_pages_edit_in_place_and_donvi_changes_it(
    bot: Harness, fake: FakeTelegram
) -> None:
    lan = bot.member(5001)
    mark = fake.mark()
    first = await lan.send("/start", "Chọn đơn vị")
    # The greeting and the units come as one message: a meeting starting at once takes one
    # place each in Telegram's budget.
    assert "Xin chào" in (first.plain or "") and "trang 1/3" in (first.plain or "")
    assert [s.plain for s in fake.sent[mark:] if s.chat_id == 5001] == [first.plain]
    assert sum(len(row) for row in first.buttons) == 9  # 8 units and "Trang sau"
    page_two = await lan.press("Trang sau", "trang 2/3")
    assert page_two.method == "editMessageText" and page_two.message_id == first.message_id
    assert "Xin chào" in (page_two.plain or "")  # the page turns; the greeting stays on it
    await lan.press("Tân Tạo A", "Đã lưu đơn vị")
    assert (await bot.member_row(5001)).unit_code == "p-tantaoa"
    await lan.send("/donvi", "Hiện tại: Đoàn phường Tân Tạo A")
    await lan.send("bình hưng hòa", "Có 3 đơn vị khớp")  # typed, ambiguous: asks again
    await lan.send("binh hung hoa b", "Đã lưu đơn vị")  # typed without diacritics, unique
    assert (await bot.member_row(5001)).unit_code == "p-bhhb"
    greeting = await lan.send("/start", "Đơn vị của bạn")
    assert "Đoàn phường Bình Hưng Hòa B" in (greeting.plain or "")


async def test_gui_without_unit_asks_for_it_first(bot: Harness, fake: FakeTelegram) -> None:
    minh = bot.member(5002, "Minh")
    await minh.send("/gui", "Chọn đơn vị")  # after "trước hết hãy chọn đơn vị"
    await minh.press("An Lạc A", "Bạn muốn gửi gì")  # then straight on to the submission
    assert (await bot.member_row(5002)).step == "kind"


async def test_theme_guide_and_menu(bot: Harness, fake: FakeTelegram) -> None:
    lan = bot.member(5003)
    themes = await lan.send("/chude", "Chủ đề hiện nay")
    assert "Nhà giáo trẻ" in (themes.plain or "")  # 17/11 falls in 14-20/11
    assert "Anh bộ đội Cụ Hồ" in (themes.plain or "") and "16/12/2026" in (themes.plain or "")
    guide = await lan.send("/huongdan", "Cách gửi tin")
    assert "Đã có bài viết" in (guide.plain or "") and "Thông tin thô" in (guide.plain or "")
    menu = {c["command"] for call in fake.commands for c in call["commands"]}
    assert {"gui", "cuatoi", "chude", "huongdan", "donvi", "huy", "start"} <= menu
    hello = await lan.send("xin chào", "gõ /gui")
    assert any("Gửi tin mới" in label for row in hello.buttons for label, _ in row)
    units = await lan.press("Gửi tin mới", "Chọn đơn vị")
    assert "Trang sau" in " ".join(label for row in units.buttons for label, _ in row)
