"""The OA may write to a member for 48 hours after they last wrote: a notice that cannot go
is held, the editors' card says so, and it goes with the member's next message."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.platforms.zalo_oa.service import ZaloOAService
from handlers.engine.types import Reply, Say
from storage.models import Outbox
from tests.harness import CHANNEL, ED1, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo_oa.fake_oa import FakeOA
from tests.platforms.zalo_oa.people import OAChat, held_for, submit_on_oa
from tests.support.flows import card, press


async def test_a_notice_outside_the_window_waits_for_the_members_next_message(
    oa_bot: Harness, fake: FakeTelegram, oa: FakeOA
) -> None:
    member = OAChat(oa, "oa-user-2001")
    await submit_on_oa(member, photo=False)
    await card(fake)
    oa_bot.now = oa_bot.now + timedelta(hours=49)  # the member went quiet for two days
    mark = oa.mark()
    press(fake, ED1, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    # Both notices wait (approved, then published), and the card says so.
    assert await held_for(oa_bot, member.id, 2) == {"notice/approved.j2", "notice/published.j2"}
    shown = await card(fake, "Người gửi chưa nhận được thông báo")
    assert "khi họ nhắn lại" in (shown.plain or "")
    assert [s for s in oa.sent[mark:] if s.chat_id == member.id] == []  # nor charged

    edits = fake.mark()
    await member.send("/toi", "đã được đăng")  # answered, and the held notices come with it
    await oa.wait_for(member.id, "đã được ban biên tập duyệt", after=mark)
    later = await card(fake, "Đã đăng", after=edits)
    while "chưa nhận được" in (later.plain or ""):  # edits of the card before the release
        later = await card(fake, "Đã đăng", after=fake.sent.index(later) + 1)
    assert "Không gửi được" not in (later.plain or "")
    assert not any(s.paid for s in oa.messages(member.id))


async def test_an_unfollowed_member_is_told_to_the_card_not_retried(
    oa_bot: Harness, fake: FakeTelegram, oa: FakeOA
) -> None:
    member = OAChat(oa, "oa-user-2002")
    await submit_on_oa(member, photo=False)
    await card(fake)
    oa.push(oa.event("unfollow", member.id))
    await oa.idle()
    press(fake, ED1, "Duyệt")
    shown = await card(fake, "Không gửi được thông báo tới người gửi")
    assert "bỏ quan tâm" in (shown.plain or "")
    assert oa_bot.app is not None
    async with oa_bot.app.sessions() as session:
        rows = (await session.exec(select(Outbox).where(Outbox.chat_id == member.id))).all()
    [notice] = [row for row in rows if row.template == "notice/approved.j2"]
    assert (notice.status, notice.attempts) == ("failed", 0) and "-213" in (notice.error or "")


async def test_a_direct_reply_to_someone_outside_the_window_waits_for_their_next_message(
    oa_bot: Harness, oa: FakeOA
) -> None:
    other = OAChat(oa, "oa-user-2003")
    other.follow()
    await other.send("/start", "Chọn đơn vị")
    oa_bot.now = oa_bot.now + timedelta(hours=49)  # they went quiet for two days
    member = OAChat(oa, "oa-user-2004")
    member.follow()
    await member.send("/start", "Chọn đơn vị")
    assert oa_bot.app is not None
    # An answer to the member's event that is owed to the other person too (no handler
    # makes one today: the OA's answering step is given both replies, as a worker would be).
    worker = ZaloOAService(oa_bot.app)
    mark = oa.mark()
    try:
        await worker.answer(
            [
                Reply(Say("notice/broadcast.j2", {"org": "Đoàn An Lạc", "text": "Đã nhận"})),
                Reply(
                    Say("notice/broadcast.j2", {"org": "Đoàn An Lạc", "text": "Họp tối nay"}),
                    chat_id=other.id,
                ),
            ],
            member.id,
            key="zalo_oa:msg-for-two",
        )
    finally:
        await worker.close()
    await oa.wait_for(member.id, "Đã nhận", after=mark)
    assert await held_for(oa_bot, other.id, 1) == {"platforms/zalo_oa/held_reply.j2"}
    assert [s for s in oa.sent[mark:] if s.chat_id == other.id] == []  # nor charged

    await other.send("/toi", "Mã của bạn")  # answered, and the held reply comes with it
    held = await oa.wait_for(other.id, "Họp tối nay", after=mark)
    assert "Đoàn An Lạc" in (held.text or "") and not held.paid
