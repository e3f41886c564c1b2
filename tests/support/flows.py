"""What people do, step by step, that many stories start from: a member sending an item on
Telegram or on Zalo, an editor pressing a button on the card in the editors' group."""

from __future__ import annotations

from tests.harness import EDITORS, Chat
from tests.platforms.telegram.fake_telegram import FakeTelegram, Sent
from tests.platforms.zalo.fake_zalo import FakeZalo, ZaloSent

ARTICLE = "https://tuoitre.vn/thay-giao-tre-mo-lop-hoc-mien-phi-20261115.htm"
PHOTO = "lop-hoc.jpg"  # a Zalo photo, served by the fake: ``zalo.photo_url(PHOTO)``


async def submit_raw(
    member: Chat,
    fake: FakeTelegram,
    answers: list[str] | None = None,
    *,
    kind: str = "Tin tốt",
    photos: int = 0,
    consent: str = "Đã đồng ý",
    unit: str = "Đoàn phường An Lạc",
) -> None:
    """A Telegram member registers and sends raw information (the five basics)."""
    await member.register(unit)
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.press(kind, "Bước 2")
    await member.press("Thông tin thô", "Thời gian")
    await member.raw_answers((answers or ["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học"])[:4])
    await member.send((answers or [""] * 5)[4] or "Lan tỏa", "Ảnh")
    mark = fake.mark()
    for n in range(photos):
        fake.push_photo(member.id, file_id=f"P{member.id}-{n}", media_group_id=f"g{member.id}")
    if photos:
        await fake.wait_for(member.id, "Đã nhận", after=mark)
        await fake.idle()
        await member.press("Xong", "đồng ý cho đăng")
        await member.press(consent, "Xem lại")
    else:
        await member.press("Bỏ qua", "Xem lại")
    await member.press("Gửi", "Đã gửi")


async def send_article(
    member: Chat, link: str, feeling: str, unit: str = "Đoàn phường An Lạc"
) -> None:
    """A Telegram member registers and shares an article with their feeling about it."""
    await member.register(unit)
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.press("Câu chuyện đẹp", "Bước 2")
    await member.press("Đã có bài viết", "Liên kết")
    await member.send(link, "Cảm nhận")
    await member.send(feeling, "Ảnh")
    await member.press("Bỏ qua", "Xem lại")
    await member.press("Gửi", "Đã gửi")


async def card(fake: FakeTelegram, contains: str = "Chờ duyệt", after: int = 0) -> Sent:
    """The next card (or card edit) in the editors' group that says ``contains``."""
    return await fake.wait_for(EDITORS, contains, after=after)


def press(fake: FakeTelegram, user: int, label: str) -> None:
    """An editor presses a button on the card in the editors' group."""
    fake.press(user, label, chat_id=EDITORS)


class ZaloChat:
    """One person's private chat with the bot on Zalo."""

    def __init__(self, zalo: FakeZalo, user_id: str, name: str = "Hà") -> None:
        self.zalo, self.id, self.name = zalo, user_id, name

    async def send(self, text: str, expect: str | None = None) -> ZaloSent:
        mark = self.zalo.mark()
        self.zalo.push_text(self.id, text, display_name=self.name)
        return await self.zalo.wait_for(self.id, expect, after=mark)


async def submit(member: ZaloChat, zalo: FakeZalo, *, consent: str = "3") -> None:
    """A Zalo member registers and sends raw information with a photo, answering by number
    and by the labels' words, with a sticker and a file on the way."""
    units = await member.send("/start", "Chọn đơn vị")
    assert "\n2. Đoàn phường An Lạc\n" in (units.text or "")
    await member.send("2", "Đã lưu đơn vị")
    kinds = await member.send("/gui", "Bạn muốn gửi gì")
    assert "1. 🌱 Tin tốt" in (kinds.text or "") and "<b>" not in (kinds.text or "")
    await member.send("tin tot", "Bước 2")  # the label's words, without diacritics
    await member.send("thông tin thô", "Thời gian")  # the beginning of a label
    for answer, prompt in zip(
        ["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học", "Lan tỏa"],
        ["Địa điểm", "Nhân vật", "Mục đích", "Ý nghĩa", "Ảnh"],
        strict=True,
    ):
        await member.send(answer, prompt)
    mark = zalo.mark()
    zalo.push_sticker(member.id, display_name=member.name)
    await zalo.wait_for(member.id, "nhãn dán", after=mark)
    mark = zalo.mark()
    zalo.push_unsupported(member.id, display_name=member.name)  # a file, a location...
    await zalo.wait_for(member.id, "loại tin nhắn này", after=mark)
    mark = zalo.mark()
    zalo.push_photo(member.id, zalo.photo_url(PHOTO), display_name=member.name, use_field="photo")
    await zalo.wait_for(member.id, "1/10", after=mark)
    await member.send("1", "đồng ý cho đăng")  # 1. Xong; then: were the people asked?
    preview = await member.send(consent, "Xem lại")  # 3. Không có người trong ảnh
    assert "Ảnh/video: 1" in (preview.text or "")
    await member.send("gửi", "Đã gửi")


async def zalo_article(member: ZaloChat, unit_number: str, link: str, feeling: str) -> None:
    """A Zalo member registers and shares an article, answering with the labels' words."""
    await member.send("/start", "Chọn đơn vị")
    await member.send(unit_number, "Đã lưu đơn vị")
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.send("cau chuyen dep", "Bước 2")
    await member.send("da co bai viet", "Liên kết")
    await member.send(link, "Cảm nhận")
    await member.send(feeling, "Ảnh")
    await member.send("bo qua", "Xem lại")
    await member.send("gui", "Đã gửi")


async def to_photos_on_zalo(member: ZaloChat) -> None:
    """A new Zalo member registers and answers the five basics: the bot asks for photos."""
    await member.send("/start", "Chọn đơn vị")
    await member.send("2", "Đã lưu đơn vị")
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.send("tin tot", "Bước 2")
    await member.send("thông tin thô", "Thời gian")
    for answer in ["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học"]:
        await member.send(answer)
    await member.send("Lan tỏa", "Ảnh")


async def submit_on_zalo(member: ZaloChat) -> None:
    """Raw information, no photo, sent."""
    await to_photos_on_zalo(member)
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
