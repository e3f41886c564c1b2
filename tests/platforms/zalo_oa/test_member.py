"""A member of the union's OA sends a story by typed numbers; the editors decide on Telegram;
the member hears back on the OA."""

from __future__ import annotations

from tests.harness import CHANNEL, ED1, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo_oa.fake_oa import FakeOA
from tests.platforms.zalo_oa.people import OAChat, submit_on_oa
from tests.support.flows import card, press


async def test_a_follower_sends_a_story_by_numbers_and_hears_it_was_published(
    oa_bot: Harness, fake: FakeTelegram, oa: FakeOA
) -> None:
    member = OAChat(oa, "oa-user-1001")
    await submit_on_oa(member)
    [sub] = await oa_bot.submissions()
    assert (sub.status, sub.unit_code, sub.y_nghia) == ("pending", "p-anlac", "Lan tỏa")
    shown = await card(fake)
    assert "Cô Hoa" in (shown.plain or "")
    press(fake, ED1, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    notice = await oa.wait_for(member.id, "đã được đăng")
    assert notice.paid is False and "<" not in (notice.text or "")
    # Every answer was a consultation message of at most 2,000 characters, none charged.
    assert all(len(s.text or "") <= 2000 and not s.paid for s in oa.messages(member.id))
