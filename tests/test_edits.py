"""A member who edits an answer already sent is told, once per message, that edits are not
taken and how to change an answer; the answer stored stays the one first sent."""

from __future__ import annotations

from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram

LAN = 5501
NOT_TAKEN = "không nhận tin nhắn đã sửa"


async def test_an_edited_answer_is_explained_once_and_the_first_answer_kept(
    bot: Harness, fake: FakeTelegram
) -> None:
    lan = bot.member(LAN)
    await lan.register()
    await lan.start_raw()
    mark = fake.mark()
    first = fake.push_text(LAN, "Sáng 15/11")
    await fake.wait_for(LAN, "Địa điểm", after=mark)

    mark = fake.mark()
    fake.push_edit(first, "Chiều 16/11")
    notice = await fake.wait_for(LAN, NOT_TAKEN, after=mark)
    assert "Sửa" in (notice.plain or "")  # how to change it: Sửa in the preview
    fake.push_edit(first, "Tối 16/11")  # a second edit of the same message
    await lan.send("Trường THCS An Lạc", "Nhân vật")  # the flow goes on where it stood
    await fake.idle()

    notices = [s for s in fake.sent[mark:] if NOT_TAKEN in (s.plain or "")]
    assert len(notices) == 1
    [draft] = await bot.submissions()
    assert draft.thoi_gian == "Sáng 15/11" and draft.dia_diem == "Trường THCS An Lạc"
