"""Administration from chat: bans, units, and the role checks that guard them."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Audit, Ban, Unit
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram

ADMIN = 9001


async def admin_desk(db_url: str, fake: FakeTelegram) -> Harness:
    from tests.conftest import FROZEN

    harness = Harness(db_url=db_url, fake=fake, now=FROZEN, admin_ids=f"telegram:{ADMIN}")
    await harness.start()
    return harness


async def test_ban_answers_once_then_silence(db_url: str, fake: FakeTelegram) -> None:
    desk = await admin_desk(db_url, fake)
    try:
        admin, troll = desk.member(ADMIN, "Quản trị"), desk.member(6001, "Spam")
        await troll.register()
        await troll.send("/cam 6002 thử", "chỉ dành cho quản trị viên")  # a member cannot ban
        await admin.send(f"/cam {ADMIN} tự cấm", "Cách dùng")  # nor can an admin be banned
        await admin.send("/cam 6001 Gửi nội dung quảng cáo nhiều lần", "Đã dừng telegram:6001")
        await troll.send("/gui", "tạm dừng sử dụng bot")
        mark = fake.mark()
        fake.push_text(6001, "alo alo")
        fake.push_text(6001, "/start")
        await fake.idle()
        assert not [s for s in fake.sent[mark:] if s.chat_id == 6001]
        listing = await admin.send("/cam", "Tài khoản đang bị dừng")
        assert "quảng cáo" in (listing.plain or "")
        await admin.send("/bocam 6001", "Đã bỏ dừng")
        await troll.send("/chude", "Chủ đề hiện nay")
        assert desk.app is not None
        async with desk.app.sessions() as session:
            [ban] = (await session.exec(select(Ban))).all()
            actions = [a.action for a in (await session.exec(select(Audit))).all()]
        assert not ban.active and ban.reason == "Gửi nội dung quảng cáo nhiều lần"
        assert actions == ["ban_cam", "ban_bocam"]
    finally:
        await desk.stop()


async def test_units_managed_from_chat(db_url: str, fake: FakeTelegram) -> None:
    desk = await admin_desk(db_url, fake)
    try:
        admin, lan = desk.member(ADMIN, "Quản trị"), desk.member(6003, "Lan")
        await lan.register("Đoàn phường An Lạc A")
        await lan.send("/donvi them x", "chỉ dành cho quản trị viên")
        await admin.send("/donvi them cd-moi Chi đoàn Khu phố 5", "Đã thêm đơn vị")
        await admin.send("/donvi cha cd-moi p-anlaca", "Đã đặt cấp trên")
        await admin.send("/donvi doiten cd-moi Chi đoàn KP5 An Lạc A", "Đã đổi tên")
        await admin.send("/donvi cha cd-moi khong-co", "Không làm được")
        await admin.send("/donvi ngung p-anlaca", "Đã ngừng đơn vị")
        listing = await admin.send("/donvi ds", "Các đơn vị")
        text = listing.plain or ""
        assert "Chi đoàn KP5 An Lạc A" in text and "đã ngừng" in text
        await lan.send("/gui", "không còn hoạt động")  # asked to choose again
        await fake.wait_for(6003, "Chọn đơn vị")
        await desk.restart()  # the organisation file does not undo what the admin did
        assert desk.app is not None
        async with desk.app.sessions() as session:
            row = await session.get(Unit, "p-anlaca")
            new = await session.get(Unit, "cd-moi")
        assert row is not None and not row.active
        assert new is not None and new.parent_code == "p-anlaca"
    finally:
        await desk.stop()


async def test_admin_names_an_editor_by_replying_in_the_group(
    db_url: str, fake: FakeTelegram
) -> None:
    from tests.conftest import FROZEN

    desk = Harness(
        db_url=db_url, fake=fake, now=FROZEN, admin_ids=f"telegram:{ADMIN}", editor_chat_id=-100777
    )
    await desk.start()
    try:
        said = fake.push_text(
            6010, "Em xin tham gia ban biên tập", chat_id=-100777, first_name="Minh"
        )
        mark = fake.mark()
        fake.push_text(ADMIN, "/bientap them", chat_id=-100777, reply_to=said["message"])
        done = await fake.wait_for(-100777, "Đã thêm telegram:6010", after=mark)
        assert done
        mark = fake.mark()
        fake.push_text(6010, "/bientap them 6011", chat_id=-100777)  # an editor is no admin
        await fake.idle()
        assert not [s for s in fake.sent[mark:] if s.chat_id == -100777]
    finally:
        await desk.stop()
