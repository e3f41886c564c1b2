"""The member flow and the editors' commands on Zalo, through the real Zalo client against a
fake Zalo Bot API, with Telegram (editors' group, channel) running beside it."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from storage.models import Media
from tests.conftest import FROZEN
from tests.harness import CHANNEL, EDITORS, ZALO_EDITOR, Harness, free_port, settings_for
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.flows import PHOTO, ZaloChat, submit


async def test_member_flow_on_zalo_reaches_the_telegram_card(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    # A Zalo bot can only write to someone who wrote to it first.
    await ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo").send("/start", "Chọn đơn vị")
    await submit(ZaloChat(zalo, "zu-1001"), zalo)
    [sub] = await both.submissions()
    assert sub.status == "pending" and sub.unit_code == "p-anlac" and sub.y_nghia == "Lan tỏa"
    assert both.app is not None
    async with both.app.sessions() as session:
        [media] = (await session.exec(select(Media))).all()
    assert (media.ref, media.platform) == (zalo.photo_url(PHOTO), "zalo")
    photo = await fake.wait_for(EDITORS)
    assert photo.method == "sendPhoto" and photo.media == [("photo", zalo.photo_url(PHOTO))]
    card = await fake.wait_for(EDITORS, "Chờ duyệt")
    assert "Hà" in (card.plain or "") and "tg://user" not in (card.text or "")
    announce = await zalo.wait_for(ZALO_EDITOR, "Tin chờ duyệt #1")
    assert "/duyet 1" in (announce.text or "")


async def test_zalo_editor_decides_and_the_card_follows(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    member = ZaloChat(zalo, "zu-1002")
    await submit(member, zalo)
    card = await fake.wait_for(EDITORS, "Chờ duyệt")
    outsider = ZaloChat(zalo, "zu-9999", "Người lạ")
    await outsider.send("/duyet 1", "Chỉ ban biên tập")
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    listing = await editor.send("/choduyet", "Tin chờ duyệt")
    assert "#1" in (listing.text or "")
    shown = await editor.send("/xem 1", "Cô Hoa")
    assert shown.text and "<" not in shown.text
    await editor.send("/duyet 1", "Thẻ trong nhóm biên tập đã được cập nhật")
    edited = await fake.wait_for(EDITORS, "Biên tập Zalo lúc")  # approved/posted
    assert edited.message_id == card.message_id and "Biên tập Zalo" in (edited.plain or "")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    await zalo.wait_for("zu-1002", "đã được đăng")
    again = await editor.send("/duyet 1", "xử lý trước")  # one decision only
    assert again.text


async def test_zalo_editor_rejects_and_asks_more(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    member = ZaloChat(zalo, "zu-1003")
    await submit(member, zalo)
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    await editor.send("/bosung 1 dia diem, anh: Ghi rõ số nhà", "Người gửi đã được báo")
    notice = await zalo.wait_for("zu-1003", "cần bạn bổ sung")
    assert "Địa điểm, Ảnh/video" in (notice.text or "") and "1. 📝 Bổ sung ngay" in (
        notice.text or ""
    )
    await member.send("1", "Địa điểm")
    await member.send("Số 12 đường số 7", "Ảnh")
    await member.send("xong", "Xem lại")
    await member.send("gửi", "phần bổ sung")
    await fake.wait_for(EDITORS, "đã bổ sung lần 1")
    await editor.send("/tuchoi 1", "Cách dùng")
    await editor.send("/tuchoi 1 Trùng lặp với tin tuần trước", "Người gửi đã được báo")
    rejected = await zalo.wait_for("zu-1003", "chưa được duyệt")
    assert "Trùng lặp với tin tuần trước" in (rejected.text or "")


async def test_duplicates_restart_and_long_answers(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    member = ZaloChat(zalo, "zu-1004")
    await member.send("/start", "Chọn đơn vị")
    await member.send("1", "Đã lưu đơn vị")
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.send("1", "Bước 2")
    await member.send("2", "Thời gian")
    mark = zalo.mark()
    update = zalo.push_text("zu-1004", "Sáng 15/11")
    await zalo.wait_for("zu-1004", "Địa điểm", after=mark)
    zalo.push_update(update)  # the same message again
    await zalo.idle()
    assert len([s for s in zalo.sent[mark:] if s.chat_id == "zu-1004"]) == 1
    await both.restart()
    reply = await member.send("x" * 5000, "quá giới hạn 300")
    assert len(reply.text or "") <= 2000
    await member.send("Nhà văn hóa", "Nhân vật")
    [sub] = await both.submissions()
    assert (sub.thoi_gian, sub.dia_diem) == ("Sáng 15/11", "Nhà văn hóa")


async def test_zalo_webhook_secret_and_body_shapes(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    port = free_port()
    harness = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        **settings_for(
            zalo,
            zalo_webhook_url=f"http://127.0.0.1:{port}/zalo/hook",
            zalo_webhook_secret="zalo-secret-1",
            webhook_host="127.0.0.1",
            webhook_port=port,
        ),
    )
    await harness.start()
    try:
        for _ in range(100):
            if any(method == "setWebhook" for method, _ in zalo.calls):
                break
            await asyncio.sleep(0.05)
        member = ZaloChat(zalo, "zu-1005")
        await member.send("/start", "Chọn đơn vị")  # delivered flat by the webhook
        wrapped = {
            "event_name": "message.text.received",
            "message": {
                "message_id": "a1b2c3",
                "date": 1763350000000,
                "chat": {"id": "zu-1005", "chat_type": "PRIVATE"},
                "from": {"id": "zu-1005", "display_name": "Hà", "is_bot": False},
                "text": "3",
            },
        }
        assert await zalo.post_webhook(wrapped, secret="wrong") == 401
        assert await zalo.post_webhook(wrapped, secret=None) == 401
        assert (await harness.member_row_platform("zalo", "zu-1005")).unit_code is None
        mark = zalo.mark()
        assert await zalo.post_webhook(wrapped, wrapped=True) == 200
        await zalo.wait_for("zu-1005", "Đã lưu đơn vị", after=mark)
        assert await zalo.post_webhook(wrapped, wrapped=True) == 200  # re-sent: handled once
        await zalo.idle()
        assert len([s for s in zalo.sent[mark:] if s.chat_id == "zu-1005"]) == 1
    finally:
        await harness.stop()


async def test_zalo_alone_and_a_zalo_publish_target(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    zalo.add_chat("zalo-group-1")  # a group where the bot is a member
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    harness = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        **settings_for(
            zalo, telegram_bot_token=None, editor_chat_id=None, publish_targets="zalo:zalo-group-1"
        ),
    )
    await harness.start()
    try:
        mine = await editor.send("/toi", "Mã của bạn")
        assert f"zalo:{ZALO_EDITOR}" in (mine.text or "")
        await editor.send("/start", "Chọn đơn vị")
        await submit(ZaloChat(zalo, "zu-1006"), zalo)
        await zalo.wait_for(ZALO_EDITOR, "Tin chờ duyệt #1")
        await editor.send("/duyet 1", "đã duyệt")
        photo = await zalo.wait_for("zalo-group-1")
        assert photo.method == "sendPhoto" and photo.photo == zalo.photo_url(PHOTO)
        post = await zalo.wait_for("zalo-group-1", "#moingay1tintot")
        assert "Cô Hoa" in (post.text or "") and "<" not in (post.text or "")
        await zalo.wait_for("zu-1006", "đã được đăng")
        assert not [call for call in fake.calls if call[0] == "getUpdates"]  # Telegram is off
    finally:
        await harness.stop()


async def test_zalo_editor_writes_the_post_and_long_texts_split(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    member = ZaloChat(zalo, "zu-1007")
    await submit(member, zalo)
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    preview = await editor.send("/sua 1 Cô Hoa & lớp học <tình thương>", "Bài sẽ đăng như sau")
    assert "Cô Hoa & lớp học <tình thương>" in (preview.text or "")
    assert "#moingay1tintot" in (preview.text or "") and "&amp;" not in (preview.text or "")
    await editor.send("/duyet 1", "Người gửi đã được báo")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    assert "Cô Hoa & lớp học <tình thương>" in (post.plain or "")
    long_member = ZaloChat(zalo, "zu-1008")
    await long_member.send("/start", "Chọn đơn vị")
    await long_member.send("1", "Đã lưu")
    await long_member.send("/gui", "Bạn muốn gửi gì")
    await long_member.send("1", "Bước 2")
    await long_member.send("2", "Thời gian")
    for answer, limit in zip("abcde", [200, 300, 500, 800, 1200], strict=True):
        await long_member.send(answer * limit)
    mark = zalo.mark()
    await long_member.send("2", "Bấm Gửi")  # 2. Bỏ qua: the preview, over 2000 characters
    parts = [s for s in zalo.sent[mark:] if s.chat_id == "zu-1008"]
    assert len(parts) >= 2 and all(len(s.text or "") <= 2000 for s in parts)
    assert "e" * 1200 in "".join(s.text or "" for s in parts)


async def test_zalo_editor_confirms_people_not_asked(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    member = ZaloChat(zalo, "zu-1010")
    await submit(member, zalo, consent="2")  # 2. Chưa hỏi
    card = await fake.wait_for(EDITORS, "Chờ duyệt")
    assert "CHƯA ĐƯỢC HỎI" in (card.plain or "")
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    await editor.send("/duyet 1", "/duyet 1 xacnhan")  # not yet: a second, explicit command
    [sub] = await both.submissions()
    assert sub.status == "pending"
    await editor.send("/duyet 1 xác nhận", "Người gửi đã được báo")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
