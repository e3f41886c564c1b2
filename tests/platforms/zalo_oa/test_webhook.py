"""Only Zalo may call the OA's webhook: a forged or missing signature is refused with nothing
written, and an event Zalo delivers again is handled once."""

from __future__ import annotations

from sqlmodel import func, select

from storage.models import Inbox
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo_oa.fake_oa import FakeOA, mac
from tests.platforms.zalo_oa.people import OAChat


async def stored(bot: Harness) -> int:
    assert bot.app is not None
    async with bot.app.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(Inbox))).one())


async def test_a_forged_signature_is_refused_and_a_replayed_event_answered_once(
    oa_bot: Harness, fake: FakeTelegram, oa: FakeOA
) -> None:
    member = OAChat(oa, "oa-user-3001")
    member.follow()
    await member.send("/start", "Chọn đơn vị")  # the webhook is served
    await oa.idle()
    before, mark = await stored(oa_bot), oa.mark()

    event = oa.event("user_send_text", member.id, message={"msg_id": "m-forged", "text": "/gui"})
    forged = mac(b'{"event_name": "user_send_text"}', event["timestamp"])  # another body's mac
    wrong_key = mac(repr(event).encode(), event["timestamp"], secret="not-the-oa-secret")
    assert await oa.post(event, signature=forged) == 401
    assert await oa.post(event, signature=wrong_key) == 401
    assert await oa.post(event, signature="") == 401
    assert await stored(oa_bot) == before and oa.sent[mark:] == []

    event = oa.event("user_send_text", member.id, message={"msg_id": "m-once", "text": "/gui"})
    assert await oa.post(event) == 200
    await oa.wait_for(member.id, "hãy chọn đơn vị", after=mark)
    assert await oa.post(event) == 200  # Zalo's retry of the same message
    await oa.idle()
    assert len(oa.sent[mark:]) == 1
    assert await stored(oa_bot) == before + 1

    echo = oa.event("oa_send_text", member.id, message={"msg_id": "m-echo", "text": "hi"})
    seen = oa.event("user_seen_message", member.id, message={"msg_ids": ["m-once"]})
    assert await oa.post(echo) == 200 and await oa.post(seen) == 200
    await oa.idle()
    assert len(oa.sent[mark:]) == 1 and await stored(oa_bot) == before + 1  # never answered

    follow = oa.event("follow", member.id, source="oa_profile")
    assert await oa.post(follow) == 200 and await oa.post(follow) == 200
    assert await stored(oa_bot) == before + 2  # event + user + timestamp: once
