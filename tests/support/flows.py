"""A member's whole submission, typed as a person would: shared by several stories."""

from __future__ import annotations

from tests.fake_zalo import FakeZalo, ZaloSent
from tests.harness import Chat


class ZaloChat:
    def __init__(self, zalo: FakeZalo, user_id: str, name: str = "Hà") -> None:
        self.zalo, self.id, self.name = zalo, user_id, name

    async def send(self, text: str, expect: str | None = None) -> ZaloSent:
        mark = self.zalo.mark()
        self.zalo.push_text(self.id, text, display_name=self.name)
        return await self.zalo.wait_for(self.id, expect, after=mark, timeout=10)


async def submit_on_zalo(member: ZaloChat) -> None:
    """Raw information, no photo, sent."""
    await member.send("/start", "Chọn đơn vị")
    await member.send("2", "Đã lưu đơn vị")
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.send("tin tot", "Bước 2")
    await member.send("thông tin thô", "Thời gian")
    for answer in ["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học"]:
        await member.send(answer)
    await member.send("Lan tỏa", "Ảnh")
    await member.send("bỏ qua", "Xem lại")
    await member.send("gửi", "Đã gửi")


async def submit_on_telegram(member: Chat) -> None:
    """Raw information, no photo, sent: its card goes to the editors' group."""
    await member.register()
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.press("Tin tốt", "Bước 2")
    await member.press("Thông tin thô", "Thời gian")
    await member.raw_answers(["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học"])
    await member.send("Lan tỏa", "Ảnh")
    await member.press("Bỏ qua", "Xem lại")
    await member.press("Gửi", "Đã gửi")
