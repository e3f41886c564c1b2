"""A story told at full length in emoji (every field at its limit, two UTF-16 units a
character) still gets a card that the editors' group can edit: approved and published, the card
is edited in place, loses its buttons and keeps its decision line whole."""

from __future__ import annotations

from handlers.engine.states import LIMITS, PATHS
from tests.harness import CHANNEL, ED1, EDITORS, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.flows import card, press

LIMIT = 4096  # Telegram's text limit, which the fake enforces on editMessageText too


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_full_length_emoji_story_card_is_edited_when_published(
    desk: Harness, fake: FakeTelegram
) -> None:
    answers = ["🌸" * LIMITS[step] for step in PATHS["raw"]]
    assert sum(utf16(answer) for answer in answers) > LIMIT  # more than a message can hold
    lan = desk.member(1501, "Lan")
    await lan.register()
    await lan.send("/gui", "Bạn muốn gửi gì")
    await lan.press("Tin tốt", "Bước 2")
    await lan.press("Thông tin thô", "Thời gian")
    await lan.raw_answers(answers)
    for n in range(2):
        fake.push_photo(lan.id, file_id=f"P-{n}", media_group_id="album")
    await fake.idle()
    await lan.press("Xong", "đồng ý cho đăng")
    await lan.press("Đã đồng ý", "để bỏ tin này")  # the preview's last lines, under its buttons
    await lan.press("Gửi", "Đã gửi")
    pending = await card(fake)
    assert "🌸…" in (pending.plain or ""), "the longest fields are shortened on the card"
    assert "🕒 Thời gian: " + answers[0] + "\n" in (pending.plain or ""), "the short one is whole"
    assert pending.buttons, "one message: the waiting card with its buttons"

    press(fake, ED1, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    published = await card(fake, "📢 Đã đăng")
    await fake.idle()

    assert published.method == "editMessageText"
    assert published.message_id == pending.message_id  # the same card, edited in place
    shown = fake.messages(EDITORS)[-1]
    assert shown.message_id == pending.message_id
    # Only taking it down and correcting its theme are left.
    assert shown.buttons == [[("🗑 Gỡ bài", "card:take_down:1")], [("🗓 Chủ đề", "card:theme:1")]]
    first_line = (shown.plain or "").split("\n", 1)[0]
    assert first_line.startswith("📢 Đã đăng · ") and first_line.endswith(" lúc 09:00 17/11/2026")
    assert "message is too long" not in str(fake.errors)
