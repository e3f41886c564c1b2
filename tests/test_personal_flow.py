"""Personal data end to end: the member's preview and the editors' card mark it, the post masks
it, an editor's choice to keep it (a button on Telegram, /giu and /che on Zalo) publishes it as
written and is in the audit."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from storage.models import Audit
from tests.conftest import FROZEN
from tests.harness import CHANNEL, ED1, ED2, EDITORS, STRANGER, ZALO_EDITOR, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.flows import ZaloChat, card, press, submit_raw

STORY = [
    "Sáng 20/11/2026, lúc 7h30",
    "Nhà văn hóa khu phố 3, số 12 ngõ 34 phố Huế",
    "Bà Tư (CCCD 079203004567), điện thoại 0912 345 678",
    "Nấu 200 suất cơm cho 120 đoàn viên, trị giá 5.000.000 đồng",
    "Lan tỏa, liên hệ tu.nguyen@gmail.com",
]
MARKS = (
    "🔒 Thông tin cá nhân: Số nhà 12 (Địa điểm); CMND/CCCD 079203004567 (Nhân vật); "
    "SĐT 0912 345 678 (Nhân vật); Email tu.nguyen@gmail.com (Ý nghĩa)"
)
MASKED = [
    "Nhà văn hóa khu phố 3, số •• ngõ 34 phố Huế",
    "Bà Tư (CCCD ••••••••••••), điện thoại 09•• ••• •••",
    "Lan tỏa, liên hệ t••••••••@gmail.com",
    "Sáng 20/11/2026, lúc 7h30",  # dates, times, counts and amounts stay
    "Nấu 200 suất cơm cho 120 đoàn viên, trị giá 5.000.000 đồng",
]


async def audit_actions(harness: Harness) -> list[tuple[str, str]]:
    assert harness.app is not None
    async with harness.app.sessions() as session:
        rows = await session.exec(select(Audit).order_by(col(Audit.id)))
        return [(row.action, row.actor_name) for row in rows.all()]


async def test_marked_for_member_and_editors_then_masked_in_the_post(
    desk: Harness, fake: FakeTelegram
) -> None:
    lan = desk.member(2001)
    await lan.register()
    await lan.send("/gui", "Bạn muốn gửi gì")
    await lan.press("Tin tốt", "Bước 2")
    await lan.press("Thông tin thô", "Thời gian")
    await lan.raw_answers(STORY[:4])
    await lan.send(STORY[4], "Ảnh")
    preview = await lan.press("Bỏ qua", "Xem lại")
    assert f"{MARKS} — sẽ được che khi đăng" in (preview.plain or "")  # the member learns it
    await lan.press("Gửi", "Đã gửi")
    shown = await card(fake)
    assert f"{MARKS} — sẽ được che khi đăng" in (shown.plain or "")
    assert ("🔓 Đăng nguyên thông tin cá nhân", "card:personal:1:1") in shown.buttons[-1]
    press(fake, ED1, "Duyệt")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    for part in MASKED:
        assert part in (post.plain or ""), part
    for raw in ("079203004567", "0912 345 678", "tu.nguyen", "số 12"):
        assert raw not in (post.plain or ""), raw
    [sub] = await desk.submissions()
    assert sub.nhan_vat == STORY[2] and not sub.keep_personal  # stored as the member wrote it
    assert await audit_actions(desk) == [("approve", "Test")]
    assert not fake.errors, fake.errors


async def test_editor_keeps_it_as_written_and_it_is_recorded(
    desk: Harness, fake: FakeTelegram
) -> None:
    await submit_raw(desk.member(2002), fake, STORY)
    shown = await card(fake)
    fake.push_text(ED1, "Để mình xem", chat_id=EDITORS, first_name="Minh")  # talk: ignored
    await fake.idle()
    press(fake, STRANGER, "Đăng nguyên")
    await fake.idle()
    assert "Chỉ ban biên tập" in str(fake.callback_answers[-1].get("text"))
    mark = fake.mark()
    press(fake, ED1, "Đăng nguyên")
    kept = await card(fake, "giữ nguyên khi đăng", after=mark)
    assert kept.message_id == shown.message_id  # the card, edited in place
    assert f"{MARKS} — giữ nguyên khi đăng (theo quyết định của Minh)" in (kept.plain or "")
    assert ("🔒 Che thông tin cá nhân khi đăng", "card:personal:1:0") in kept.buttons[-1]
    fake.push_callback(ED2, shown.message_id, "card:personal:1:1", chat_id=EDITORS)  # pressed again
    await fake.idle()
    [sub] = await desk.submissions()
    assert sub.keep_personal and sub.status == "pending"
    press(fake, ED1, "Duyệt")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    for raw in STORY:
        assert raw in (post.plain or ""), raw
    assert await audit_actions(desk) == [("keep_personal", "Minh"), ("approve", "Minh")]
    assert not fake.errors, fake.errors


async def test_mask_again_after_keeping(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(2003), fake, STORY)
    await card(fake)
    press(fake, ED1, "Đăng nguyên")
    mark = fake.mark()
    await card(fake, "giữ nguyên khi đăng", after=mark)
    press(fake, ED2, "Che thông tin")
    masked_card = await card(fake, "sẽ được che khi đăng", after=mark)
    assert any("Đăng nguyên" in label for label, _ in masked_card.buttons[-1])
    press(fake, ED2, "Duyệt")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    assert "09•• ••• •••" in (post.plain or "") and "0912" not in (post.plain or "")
    actions = [action for action, _ in await audit_actions(desk)]
    assert actions == ["keep_personal", "mask_personal", "approve"]
    assert not (await card(fake, "Đã duyệt")).buttons  # decided: no button left


async def test_the_editors_own_text_is_masked_in_preview_and_post(
    desk: Harness, fake: FakeTelegram
) -> None:
    await submit_raw(desk.member(2004), fake)  # nothing personal in the member's text
    shown = await card(fake)
    assert "Thông tin cá nhân" not in (shown.plain or "")
    assert not any("pk" in data for row in shown.buttons for _, data in row)
    press(fake, ED1, "Sửa bài")
    await card(fake, "nội dung bài đăng")
    fake.push_text(ED1, "Cô Hoa <3 & lớp học, gọi cô: 0987.654.321", chat_id=EDITORS)
    preview = await card(fake, "Bài sẽ đăng như sau")
    assert "Cô Hoa <3 & lớp học, gọi cô: 09••.•••.•••" in (preview.plain or "")
    press(fake, ED1, "Đăng")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    assert (post.plain or "").startswith("Cô Hoa <3 & lớp học, gọi cô: 09••.•••.•••")
    [sub] = await desk.submissions()
    assert sub.post_text == "Cô Hoa <3 & lớp học, gọi cô: 0987.654.321"
    assert not fake.errors, fake.errors


async def test_zalo_member_and_editor_giu_then_duyet(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    await editor.send("/start", "Chọn đơn vị")  # a Zalo bot writes only to those who wrote
    member = ZaloChat(zalo, "zu-2001")
    await member.send("/start", "Chọn đơn vị")
    await member.send("2", "Đã lưu đơn vị")
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.send("tin tot", "Bước 2")
    await member.send("thông tin thô", "Thời gian")
    for answer in STORY:
        await member.send(answer)
    preview = await member.send("2", "Xem lại")  # 2. Bỏ qua
    assert f"{MARKS} — sẽ được che khi đăng" in (preview.text or "")
    await member.send("gửi", "Đã gửi")
    announce = await zalo.wait_for(ZALO_EDITOR, "Tin chờ duyệt #1")
    assert "Giữ nguyên: /giu 1" in (announce.text or "")
    shown = await fake.wait_for(EDITORS, "Chờ duyệt")

    await ZaloChat(zalo, "zu-9999", "Người lạ").send("/giu 1", "Chỉ ban biên tập")
    await editor.send("/giu", "Cách dùng: /giu <số tin>")
    await editor.send("/giu 99", "Không thấy tin #99")
    await editor.send("/giu 1", "sẽ được giữ nguyên khi đăng")
    edited = await fake.wait_for(EDITORS, "theo quyết định của Biên tập Zalo")
    assert edited.message_id == shown.message_id
    both.now = FROZEN + timedelta(minutes=1)  # a later change: a new edit of the card
    mark = fake.mark()
    await editor.send("/che 1", "sẽ được che khi đăng")
    await fake.wait_for(EDITORS, "— sẽ được che khi đăng", after=mark)
    mark = fake.mark()
    both.now = FROZEN + timedelta(minutes=2)
    await editor.send("/giu 1", "sẽ được giữ nguyên khi đăng")
    await fake.wait_for(EDITORS, "theo quyết định của Biên tập Zalo", after=mark)
    await editor.send("/duyet 1", "Người gửi đã được báo")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    for raw in STORY:
        assert raw in (post.plain or ""), raw
    assert await audit_actions(both) == [
        ("keep_personal", "Biên tập Zalo"),
        ("mask_personal", "Biên tập Zalo"),
        ("keep_personal", "Biên tập Zalo"),
        ("approve", "Biên tập Zalo"),
    ]
    await editor.send("/che 1", "không còn chờ duyệt")  # decided: nothing to change
    [sub] = await both.submissions()
    assert sub.keep_personal


async def test_zalo_editor_default_masks_and_nothing_to_keep(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    await editor.send("/start", "Chọn đơn vị")
    await submit_raw(both.member(2005), fake)  # nothing personal
    await submit_raw(both.member(2006), fake, STORY)
    await editor.send("/giu 1", "Tin #1 không có thông tin cá nhân")
    shown = await editor.send("/xem 2", "Chờ duyệt")
    assert f"{MARKS} — sẽ được che khi đăng" in (shown.text or "")
    await editor.send("/duyet 2", "Người gửi đã được báo")
    post = await fake.wait_for(CHANNEL, "Bà Tư")
    assert "Bà Tư (CCCD ••••••••••••), điện thoại 09•• ••• •••" in (post.plain or "")
    assert [action for action, _ in await audit_actions(both)] == ["approve"]


async def test_a_kept_choice_does_not_outlive_the_text_it_was_made_for(
    desk: Harness, fake: FakeTelegram
) -> None:
    lan = desk.member(2005)
    await submit_raw(lan, fake, STORY)
    await card(fake)
    press(fake, ED1, "Đăng nguyên")
    await card(fake, "giữ nguyên khi đăng")
    press(fake, ED1, "Yêu cầu bổ sung")
    await fake.idle()
    press(fake, ED1, "Ý nghĩa")
    await fake.idle()
    press(fake, ED1, "Tiếp")
    await card(fake, "ghi chú")
    fake.push_text(ED1, "Thêm ý nghĩa", chat_id=EDITORS)
    await fake.wait_for(2005, "cần bạn bổ sung")
    await lan.press("Bổ sung ngay", "Ý nghĩa")
    await lan.send("Gọi ngay 0987 654 321 để cùng tham gia", "Xem lại")
    mark = fake.mark()
    await lan.press("Gửi", "phần bổ sung")
    again = await card(fake, "đã bổ sung lần 1", after=mark)
    assert "SĐT 0987 654 321 (Ý nghĩa)" in (again.plain or "")
    assert "sẽ được che khi đăng" in (again.plain or "")  # masked again until an editor keeps it
    [sub] = await desk.submissions()
    assert not sub.keep_personal
