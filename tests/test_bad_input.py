"""Bad input gets a short, polite answer, and the flow stays where it was."""

from __future__ import annotations

from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram


async def _at_first_field(bot: Harness, user_id: int) -> None:
    member = bot.member(user_id)
    await member.register()
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.press("Tin tốt", "Bước 2")
    await member.press("Thông tin thô", "Thời gian")


async def test_non_text_where_text_is_expected(bot: Harness, fake: FakeTelegram) -> None:
    await _at_first_field(bot, 2001)
    for push, word in (
        (fake.push_sticker, "nhãn dán"),
        (fake.push_voice, "tin nhắn thoại"),
        (fake.push_document, "tệp đính kèm"),
        (fake.push_photo, "ảnh/video"),
    ):
        mark = fake.mark()
        push(2001)
        reply = await fake.wait_for(2001, word, after=mark)
        assert "bằng chữ" in (reply.plain or "")
    member = await bot.member_row(2001)
    assert member.step == "thoi_gian"
    [draft] = await bot.submissions()
    assert draft.thoi_gian is None


async def test_unknown_command_keeps_the_draft(bot: Harness, fake: FakeTelegram) -> None:
    await _at_first_field(bot, 2002)
    chat = bot.member(2002)
    listed = await chat.send("/abc", "chưa hiểu lệnh /abc")
    assert "/rut 27" in (listed.plain or "") and "/xoadulieu" in (listed.plain or "")
    await chat.send("Sáng 15/11", "Địa điểm")  # the answer still lands in the same field
    [draft] = await bot.submissions()
    assert draft.thoi_gian == "Sáng 15/11"


async def test_old_buttons_are_refused(bot: Harness, fake: FakeTelegram) -> None:
    await _at_first_field(bot, 2003)
    kind_message = next(s for s in fake.sent if s.plain and "Bạn muốn gửi gì" in s.plain)
    kind_data = kind_message.buttons[0][0][1]
    fake.push_callback(2003, kind_message.message_id, kind_data, first_name="Lan")
    await fake.idle()
    assert fake.callback_answers[-1].get("show_alert") is True
    assert "tin nhắn cũ" in str(fake.callback_answers[-1].get("text"))
    member = await bot.member_row(2003)
    assert member.step == "thoi_gian"
    assert len(await bot.submissions()) == 1  # no second draft was started


async def test_gui_while_drafting_continues_the_draft(bot: Harness, fake: FakeTelegram) -> None:
    await _at_first_field(bot, 2004)
    chat = bot.member(2004)
    await chat.send("Chiều 16/11", "Địa điểm")
    reply = await chat.send("/gui", "đang soạn dở")
    assert reply.plain
    await fake.wait_for(2004, "Địa điểm", after=fake.sent.index(reply))
    assert (await bot.member_row(2004)).step == "dia_diem"


async def test_media_step_limits(bot: Harness, fake: FakeTelegram) -> None:
    await _at_first_field(bot, 2005)
    chat = bot.member(2005)
    await chat.raw_answers(["a", "b", "c", "d"])
    await chat.send("e", "Ảnh")
    await chat.send("đây là ảnh", "chờ ảnh hoặc video")
    mark = fake.mark()
    fake.push_video(2005, file_size=60 * 1024 * 1024)
    await fake.wait_for(2005, "lớn hơn 20 MB", after=mark)
    mark = fake.mark()
    for n in range(12):
        fake.push_photo(2005, file_id=f"P{n}", media_group_id="big" if n < 10 else None)
    await fake.wait_for(2005, "tối đa 10", after=mark)
    await fake.idle()
    await chat.press("Xong", "đồng ý cho đăng")
    await chat.send("để mình hỏi đã", "chọn một trong ba")  # not one of the answers: asked again
    preview = await chat.press("Không có người", "Xem lại")
    assert "Ảnh/video: 10" in (preview.plain or "") and "không có người trong ảnh" in (
        preview.plain or ""
    )


async def test_cancel_and_status(bot: Harness, fake: FakeTelegram) -> None:
    await _at_first_field(bot, 2006)
    chat = bot.member(2006)
    await chat.send("/huy", "Đã hủy")
    await chat.send("/huy", "không có tin nào đang soạn")
    await chat.send("/cuatoi", "chưa gửi tin nào")
    await chat.send("/gui")
    await chat.press("Tin tốt")
    await chat.press("Đã có bài viết", "Liên kết")
    await chat.send("https://thanhnien.vn/bai-viet.htm", "Cảm nhận")
    await chat.send("Xúc động.", "Ảnh")
    await chat.press("Bỏ qua", "Xem lại")
    await chat.press("Gửi", "Đã gửi")
    listing = await chat.send("/cuatoi", "Các tin bạn đã gửi")
    [cancelled, sent] = await bot.submissions()
    assert cancelled.status == "cancelled" and sent.status == "pending"
    assert f"#{sent.id}" in (listing.plain or "") and f"#{cancelled.id}" not in (
        listing.plain or ""
    )
    assert "đang chờ duyệt" in (listing.plain or "")
