"""The editors' side end to end: the card in their group, each button's path, publishing to
the channel with the right hashtag, and the member told at each step."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from storage.models import Audit, Outbox
from tests.harness import ADMIN, CHANNEL, ED1, ED2, EDITORS, STRANGER, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.flows import card, press, submit_raw


async def test_card_with_album_and_approval_publishes_once(
    desk: Harness, fake: FakeTelegram
) -> None:
    lan = desk.member(1001)
    await submit_raw(lan, fake, photos=3)
    shown = await card(fake)
    album = next(s for s in fake.sent if s.chat_id == EDITORS and s.method == "sendMediaGroup")
    assert [ref for _, ref in album.media] == ["P1001-0", "P1001-1", "P1001-2"]
    assert fake.sent.index(album) < fake.sent.index(shown)  # the album, then the card
    text = shown.plain or ""
    for part in (
        "#1",
        "Tin tốt",
        "Đoàn phường An Lạc",
        "Lan",
        "Nhà giáo trẻ",
        "Thông tin thô",
        "Cô Hoa",
        "Ảnh/video: 3",
    ):
        assert part in text, part
    assert "tg://user?id=1001" in (shown.text or "")  # a link to the member
    labels = [label for row in shown.buttons for label, _ in row]
    assert labels == ["✅ Duyệt", "❌ Từ chối", "📝 Yêu cầu bổ sung", "✏️ Sửa bài", "🗓 Chủ đề"]

    press(fake, ED1, "Duyệt")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    assert post.method == "sendMediaGroup" and "Cô Hoa" in (post.plain or "")
    await fake.wait_for(1001, "đã được ban biên tập duyệt")
    published = await fake.wait_for(1001, "đã được đăng")
    assert f"https://t.me/c/555/{post.message_id}" in (published.plain or "")
    edited = await card(fake, "Đã duyệt")
    assert edited.message_id == shown.message_id and not edited.buttons
    [sub] = await desk.submissions()
    assert sub.status == "published" and sub.decided_by == f"telegram:{ED1}"
    assert len([s for s in fake.sent if s.chat_id == CHANNEL]) == 3  # one album of three
    assert not fake.errors, fake.errors


async def test_stranger_press_changes_nothing(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1002), fake)
    await card(fake)
    press(fake, STRANGER, "Duyệt")
    await fake.idle()
    answer = fake.callback_answers[-1]
    assert answer.get("show_alert") and "Chỉ ban biên tập" in str(answer.get("text"))
    [sub] = await desk.submissions()
    assert sub.status == "pending"


async def test_two_editors_press_at_once_one_decision(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1003), fake)
    await card(fake)
    press(fake, ED1, "Duyệt")
    press(fake, ED2, "Duyệt")
    press(fake, ED1, "Duyệt")  # and a double press
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    await fake.idle()
    assert len([s for s in fake.sent if s.chat_id == CHANNEL]) == 1
    alerts = [a for a in fake.callback_answers if a.get("show_alert")]
    assert len(alerts) == 2 and all("xử lý trước" in str(a.get("text")) for a in alerts)
    assert desk.app is not None
    async with desk.app.sessions() as session:
        audit = (await session.exec(select(Audit).where(Audit.action == "approve"))).all()
    assert len(audit) == 1


async def test_reject_with_preset_reason(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1004), fake)
    await card(fake)
    press(fake, ED1, "Từ chối")
    await fake.idle()
    labels = [label for row in fake.messages(EDITORS)[-1].buttons for label, _ in row]
    assert "Trùng lặp với tin đã có" in labels and "✍️ Lý do khác (tự gõ)" in labels
    press(fake, ED1, "Trùng lặp")
    notice = await fake.wait_for(1004, "chưa được duyệt")
    assert "Trùng lặp với tin đã có" in (notice.plain or "")
    [sub] = await desk.submissions()
    assert sub.status == "rejected" and sub.reject_reason == "Trùng lặp với tin đã có"
    assert "Từ chối" in (fake.messages(EDITORS)[-1].plain or "")


async def test_reject_with_typed_reason(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1005), fake)
    await card(fake)
    press(fake, ED2, "Từ chối")
    await fake.idle()
    press(fake, ED2, "Lý do khác")
    prompt = await card(fake, "lý do từ chối")
    assert prompt.raw.get("reply_markup", {}).get("force_reply") is True
    fake.push_text(ED1, "nói linh tinh", chat_id=EDITORS)  # another editor's chatter is ignored
    fake.push_text(ED2, "Ảnh <chưa> rõ & thiếu tên", chat_id=EDITORS)
    notice = await fake.wait_for(1005, "chưa được duyệt")
    assert "Ảnh <chưa> rõ & thiếu tên" in (notice.plain or "")
    [sub] = await desk.submissions()
    assert sub.reject_reason == "Ảnh <chưa> rõ & thiếu tên" and sub.decided_by == f"telegram:{ED2}"


async def test_request_more_reopens_exactly_those_fields(desk: Harness, fake: FakeTelegram) -> None:
    lan = desk.member(1006)
    await submit_raw(lan, fake)
    first = await card(fake)
    press(fake, ED1, "Yêu cầu bổ sung")
    await fake.idle()
    press(fake, ED1, "Địa điểm")
    await fake.idle()
    press(fake, ED1, "Ảnh/video")
    await fake.idle()
    assert any(
        "☑️ Địa điểm" in label for row in fake.messages(EDITORS)[-1].buttons for label, _ in row
    )
    press(fake, ED1, "Tiếp")
    await card(fake, "ghi chú")
    fake.push_text(ED1, "Ghi rõ số nhà và gửi ảnh lớp học", chat_id=EDITORS)
    notice = await fake.wait_for(1006, "cần bạn bổ sung")
    assert "Địa điểm, Ảnh/video" in (notice.plain or "") and "số nhà" in (notice.plain or "")
    await lan.press("Bổ sung ngay", "Địa điểm")
    await lan.send("Nhà văn hóa khu phố 3, số 12 đường số 7", "Ảnh")
    mark = fake.mark()
    fake.push_photo(1006, file_id="CLASS")
    await fake.wait_for(1006, "Đã nhận", after=mark)
    await lan.press("Xong", "đồng ý cho đăng")
    await lan.press("Đã đồng ý", "Xem lại")
    mark = fake.mark()
    await lan.press("Gửi", "phần bổ sung")
    again = await card(fake, "đã bổ sung lần 1", after=mark)
    assert again.message_id != first.message_id and "số 12" in (again.plain or "")
    [sub] = await desk.submissions()
    assert sub.status == "pending" and sub.thoi_gian == "Sáng 15/11"  # the rest is kept
    assert sub.dia_diem == "Nhà văn hóa khu phố 3, số 12 đường số 7"
    press(fake, ED2, "Duyệt")
    await fake.wait_for(CHANNEL, "số •• đường số 7")  # a house number: masked


async def test_edit_post_then_publish(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1007), fake, kind="Câu chuyện đẹp")
    await card(fake)
    press(fake, ED1, "Sửa bài")
    await card(fake, "nội dung bài đăng")
    fake.push_text(ED1, "Bản nháp <1>", chat_id=EDITORS)
    await card(fake, "Bài sẽ đăng như sau")
    press(fake, ED1, "Sửa lại")
    await card(fake, "nội dung bài đăng", after=fake.mark() - 1)
    fake.push_text(ED1, "Cô Hoa & lớp học tình thương <3", chat_id=EDITORS)
    preview = await card(fake, "Cô Hoa & lớp học tình thương <3")
    assert "#moituan1cauchuyendep" in (preview.plain or "")
    press(fake, ED1, "Đăng")
    post = await fake.wait_for(CHANNEL, "#moituan1cauchuyendep")
    assert (post.plain or "").startswith("Cô Hoa & lớp học tình thương <3")
    assert "#moingay1tintot" not in (post.plain or "")
    [sub] = await desk.submissions()
    assert sub.post_text == "Cô Hoa & lớp học tình thương <3"
    assert not fake.errors, fake.errors


async def test_channel_429_and_500_still_post_once(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1008), fake)
    await card(fake)
    fake.fail_next("sendMessage", status=429, retry_after=1, chat_id=CHANNEL)
    fake.fail_next("sendMessage", status=500, chat_id=CHANNEL)
    started = asyncio.get_running_loop().time()
    press(fake, ED1, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    assert asyncio.get_running_loop().time() - started >= 1
    await fake.idle()
    assert len([s for s in fake.sent if s.chat_id == CHANNEL]) == 1
    assert {code for method, code, _ in fake.errors if method == "sendMessage"} == {429, 500}


async def post_rows(desk: Harness) -> list[Outbox]:
    assert desk.app is not None
    async with desk.app.sessions() as session:
        return list((await session.exec(select(Outbox).where(Outbox.kind == "post"))).all())


async def test_queued_post_survives_a_restart(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1009), fake)
    await card(fake)
    fake.fail_next("sendMessage", status=500, chat_id=CHANNEL)  # first try fails: re-queued
    press(fake, ED1, "Duyệt")
    for _ in range(100):
        if any(method == "sendMessage" for method, _, _ in fake.errors):
            break
        await asyncio.sleep(0.05)
    await desk.restart()  # the post is still queued in the database
    assert [row.status for row in await post_rows(desk)] in (["queued"], ["sending"], ["sent"])
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    for _ in range(100):
        if [row.status for row in await post_rows(desk)] == ["sent"]:
            break
        await asyncio.sleep(0.05)
    assert [row.status for row in await post_rows(desk)] == ["sent"]
    assert len([s for s in fake.sent if s.chat_id == CHANNEL]) == 1


async def test_html_everywhere_shown_literally(desk: Harness, fake: FakeTelegram) -> None:
    nasty = ["<b>7h</b>", "A & B <i", "<script>x</script>", "x < y > z &amp;", "&nbsp; <3"]
    await submit_raw(desk.member(1010, name="<i>Lan</i> & co"), fake, nasty)
    shown = await card(fake)
    for answer in nasty:
        assert answer in (shown.plain or "")
    press(fake, ED1, "Duyệt")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    for answer in nasty:
        assert answer in (post.plain or "")
    assert not fake.errors, fake.errors


async def test_choduyet_lists_oldest_first_and_resends(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1011), fake)
    await submit_raw(desk.member(1012, name="Minh"), fake)
    await card(fake)
    fake.push_text(STRANGER, "/choduyet", chat_id=EDITORS)  # not an editor: no answer
    fake.push_text(ED1, "/choduyet", chat_id=EDITORS)
    listing = await card(fake, "Tin chờ duyệt")
    text = listing.plain or ""
    assert text.index("#1") < text.index("#2")
    press(fake, ED1, "Gửi lại thẻ #2")
    mark = fake.mark()
    again = await card(fake, "Minh", after=mark)
    assert "#2" in (again.plain or "")


async def test_admin_adds_an_editor(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1013), fake)
    await card(fake)
    newcomer = 9100
    admin = desk.member(ADMIN, "Quản trị")
    await admin.send(f"/bientap them {newcomer}", "Đã thêm telegram:9100")
    outsider = desk.member(newcomer, "Hà")
    await outsider.send("/bientap them 1", "chỉ dành cho quản trị viên")
    press(fake, newcomer, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    await admin.send(f"/bientap xoa {newcomer}", "Đã gỡ")


async def test_people_not_asked_needs_a_second_confirmation(
    desk: Harness, fake: FakeTelegram
) -> None:
    """Photos whose people were not asked: the card says so in bold, Duyệt only offers a
    confirmation, and the confirmed approval is in the audit."""
    await submit_raw(desk.member(1010), fake, photos=1, consent="Chưa hỏi")
    shown = await card(fake)
    assert "Người trong ảnh: ⚠️ CHƯA ĐƯỢC HỎI ý kiến" in (shown.plain or "")
    assert "<b>⚠️ CHƯA ĐƯỢC HỎI ý kiến</b>" in (shown.text or "")
    mark = fake.mark()
    press(fake, ED1, "Duyệt")
    asking = await fake.wait_for(EDITORS, "CHƯA ĐƯỢC HỎI", after=mark)
    labels = [label for row in asking.buttons for label, _ in row]
    assert labels == ["⚠️ Vẫn duyệt khi chưa hỏi ý kiến", "↩️ Quay lại"]
    [sub] = await desk.submissions()
    assert sub.status == "pending"  # one press is not enough
    press(fake, ED1, "Vẫn duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    [sub] = await desk.submissions()
    assert sub.status in ("approved", "published") and sub.consent == "not_asked"
    assert desk.app is not None
    async with desk.app.sessions() as session:
        [audit] = (await session.exec(select(Audit).where(Audit.action == "approve"))).all()
    assert audit.note == "consent not asked: confirmed by the editor"


async def test_people_who_agreed_or_none_shown_approve_at_once(
    desk: Harness, fake: FakeTelegram
) -> None:
    await submit_raw(desk.member(1011), fake, photos=2, consent="Không có người")
    shown = await card(fake)
    assert "Người trong ảnh: không có người trong ảnh" in (shown.plain or "")
    press(fake, ED1, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    mark = fake.mark()
    await submit_raw(desk.member(1012), fake)  # no photos: nobody is asked anything
    plain = (await card(fake, after=mark)).plain or ""
    assert "Người trong ảnh" not in plain


async def test_a_card_from_before_the_typed_buttons_still_works(
    desk: Harness, fake: FakeTelegram
) -> None:
    """Cards already in the group carry the old two-letter data (``rv:no:1``): they act as
    they always did, and the buttons they lead to are the new ones."""
    await submit_raw(desk.member(1020), fake)
    shown = await card(fake)
    assert [data for row in shown.buttons for _, data in row][:2] == [
        "card:approve:1",
        "card:reject:1",
    ]
    fake.push_callback(ED1, shown.message_id, "rv:no:1", chat_id=EDITORS)
    await fake.idle()
    reasons = fake.messages(EDITORS)[-1]
    assert ("↩️ Quay lại", "card:back:1") in [b for row in reasons.buttons for b in row]
    fake.push_callback(ED1, shown.message_id, "rv:nr:1:0", chat_id=EDITORS)
    notice = await fake.wait_for(1020, "chưa được duyệt")
    assert "Lý do: Chưa đủ thông tin" in (notice.plain or "")  # the first preset
    [sub] = await desk.submissions()
    assert sub.status == "rejected"


async def test_forged_card_buttons_get_the_stale_answer(desk: Harness, fake: FakeTelegram) -> None:
    await submit_raw(desk.member(1021), fake)
    shown = await card(fake)
    forged = ["rv:zz:1", "card:approve:99999999999", "card:launch:1", "card:reject_preset:1:9"]
    for data in forged:
        fake.push_callback(ED1, shown.message_id, data, chat_id=EDITORS)
        await fake.idle()
    answers = fake.callback_answers[-len(forged) :]
    assert all("cũ" in str(answer.get("text")) for answer in answers), answers
    [sub] = await desk.submissions()
    assert sub.status == "pending" and not fake.errors
