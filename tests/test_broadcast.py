"""/thongbao: the office's word to a unit's subtree reaches each contact once, through the
outbox and the real Telegram client against the fake Bot API; a contact who blocked the bot
is counted among those who could not be reached."""

from __future__ import annotations

from sqlmodel import col, select

from storage.models import Audit, Outbox, OutboxStatus
from tests.fake_base import PATIENCE
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram

ADMIN = 9001
FINAL = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.NEEDS_CHECK)


async def test_a_broadcast_reaches_each_contact_once_and_counts_a_refused_one(
    db_url: str, fake: FakeTelegram
) -> None:
    from tests.conftest import FROZEN

    desk = Harness(db_url=db_url, fake=fake, now=FROZEN, admin_ids=f"telegram:{ADMIN}")
    await desk.start()
    try:
        admin, member = desk.member(ADMIN, "Văn phòng"), desk.member(6001, "Lan")
        await member.register()
        await member.send("/thongbao tatca Chào", "chỉ dành cho quản trị viên")
        for who in (501, 502, 503, 504):  # the secretaries have talked to the bot
            await desk.member(who, f"Bí thư {who}").send("/toi", str(who))
        # Phường An Lạc, its Chi đoàn Khu phố 3 (502 is the contact of both), and a unit
        # outside the subtree.
        for unit, who in [
            ("p-anlac", 501),
            ("p-anlac", 502),
            ("cd-kp3-anlac", 502),
            ("cd-kp3-anlac", 503),
            ("p-bhh", 504),
        ]:
            await admin.send(f"/lienhe {unit} them telegram:{who}", "Đã thêm")
        await admin.send("/thongbao ketqua", "Chưa có thông báo nào")
        await admin.send("/thongbao khong-co Chào", "Không có đơn vị mã “khong-co”")
        # 503 has blocked the bot: Telegram answers 403 for good.
        fake.fail_next(
            "sendMessage",
            status=403,
            description="Forbidden: bot was blocked by the user",
            chat_id=503,
        )
        queued = await admin.send(
            "/thongbao p-anlac Họp giao ban <b>sáng thứ hai</b> lúc 8 giờ",
            "Đã xếp thông báo gửi tới 3 người liên hệ",
        )
        assert "Đoàn phường An Lạc" in (queued.plain or "")
        assert desk.app is not None

        async def outcomes() -> list[tuple[str, str]]:
            assert desk.app is not None
            async with desk.app.sessions() as session:
                query = select(Outbox).where(col(Outbox.key).startswith("thongbao:"))
                rows = (await session.exec(query)).all()
            return sorted((row.chat_id, row.status) for row in rows)

        await fake.until(lambda: bool(fake.messages(501) and fake.messages(502)))
        # The refused row is marked once its worker's answer is in (each idle() >= 0.05 s).
        for _ in range(int(PATIENCE / 0.05)):
            if all(status in FINAL for _, status in await outcomes()):
                break
            await fake.idle()
        assert await outcomes() == [
            ("501", OutboxStatus.SENT),
            ("502", OutboxStatus.SENT),
            ("503", OutboxStatus.FAILED),
        ]
        for who in (501, 502):
            [sent] = [m for m in fake.messages(who) if "Thông báo" in (m.plain or "")]
            assert "Thông báo từ QĐ Bình Tân" in (sent.plain or "")
            assert "Họp giao ban <b>sáng thứ hai</b>" in (sent.plain or "")  # shown literally
        assert not [m for m in fake.messages(504) if "Thông báo" in (m.plain or "")]
        result = await admin.send("/thongbao ketqua", "Thông báo gần nhất")
        assert "Đã nhận: 2" in (result.plain or "")
        assert "Không gửi tới được: 1" in (result.plain or "")
        async with desk.app.sessions() as session:
            [audit] = (
                await session.exec(select(Audit).where(col(Audit.action) == "broadcast"))
            ).all()
        assert audit.actor == f"telegram:{ADMIN}" and (audit.note or "").startswith("p-anlac 3")
    finally:
        await desk.stop()
