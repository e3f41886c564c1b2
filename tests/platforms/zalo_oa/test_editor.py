"""An editor who follows the OA decides by text commands, as on the Zalo bot; /report points
to the board, since the OA takes no spreadsheet."""

from __future__ import annotations

from tests.harness import CHANNEL, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo_oa.fake_oa import FakeOA
from tests.platforms.zalo_oa.people import OA_EDITOR, OAChat, submit_on_oa
from tests.support.flows import card


async def test_an_editor_approves_from_the_oa_and_the_card_follows(
    oa_bot: Harness, fake: FakeTelegram, oa: FakeOA
) -> None:
    editor = OAChat(oa, OA_EDITOR)
    editor.follow()
    await editor.send("/start", "Chọn đơn vị")  # within 48 hours, the OA may write to them
    member = OAChat(oa, "oa-user-5001")
    await submit_on_oa(member)
    first = await card(fake)
    announce = await oa.wait_for(OA_EDITOR, "Tin chờ duyệt #1")
    assert "/duyet 1" in (announce.text or "")
    stranger = OAChat(oa, "oa-user-5999")
    stranger.follow()
    await stranger.send("/duyet 1", "Chỉ ban biên tập")
    shown = await editor.send("/xem 1", "Cô Hoa")
    assert "<" not in (shown.text or "")
    await editor.send("/duyet 1", "Thẻ trong nhóm biên tập đã được cập nhật")
    edited = await fake.wait_for(first.chat_id, "Đã đăng")
    assert edited.message_id == first.message_id
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    await oa.wait_for(member.id, "đã được đăng")

    report = await editor.send("/report", "Zalo OA không gửi được tệp")
    assert "python -m bot report" in (report.text or "")  # no PUBLIC_BASE_URL: no board link
