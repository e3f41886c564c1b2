"""An admin's /bientap xoa holds even for someone the environment lists (EDITOR_IDS,
ADMIN_IDS): the removal is stored and overrides the list until /bientap them restores them.
No admin can remove themselves, so the organisation always keeps one."""

from __future__ import annotations

from tests.harness import ADMIN, CHANNEL, ED1, EDITORS, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.flows import submit_on_telegram


async def test_a_removed_listed_editor_stops_acting_until_restored(
    desk: Harness, fake: FakeTelegram
) -> None:
    await submit_on_telegram(desk.member(1501))
    await fake.wait_for(EDITORS, "Chờ duyệt")
    admin = desk.member(ADMIN, "Quản trị")
    await admin.send(f"/bientap xoa {ED1}", f"Đã gỡ telegram:{ED1}")
    listing = await admin.send("/bientap", "Ban biên tập")
    assert f"Đã gỡ (thay cho ADMIN_IDS / EDITOR_IDS): telegram:{ED1}" in (listing.plain or "")

    fake.press(ED1, "Duyệt", chat_id=EDITORS)  # ED1 is still in EDITOR_IDS
    await fake.idle()
    assert "Chỉ ban biên tập" in str(fake.callback_answers[-1].get("text"))
    await desk.member(ED1, "Minh").send("/choduyet", "Chỉ ban biên tập")
    [sub] = await desk.submissions()
    assert sub.status == "pending"

    await desk.restart()  # stored, not remembered by the process
    fake.press(ED1, "Duyệt", chat_id=EDITORS)
    await fake.idle()
    assert "Chỉ ban biên tập" in str(fake.callback_answers[-1].get("text"))

    await admin.send(f"/bientap them {ED1}", f"Đã thêm telegram:{ED1}")
    fake.press(ED1, "Duyệt", chat_id=EDITORS)
    await fake.wait_for(CHANNEL, "#moingay1tintot")


async def test_a_listed_admin_can_be_removed_but_never_by_themselves(
    desk: Harness, fake: FakeTelegram
) -> None:
    admin = desk.member(ADMIN, "Quản trị")
    refused = await admin.send(f"/bientap xoa {ADMIN}", "Không gỡ được chính bạn")
    assert "Đã gỡ" not in (refused.plain or "")
    await admin.send("/bientap them 9100 admin", "Đã thêm telegram:9100")
    second = desk.member(9100, "Hà")
    await second.send(f"/bientap xoa {ADMIN}", f"Đã gỡ telegram:{ADMIN}")
    await admin.send("/bientap", "chỉ dành cho quản trị viên")  # ADMIN_IDS no longer counts
    await second.send("/bientap xoa 9100", "Không gỡ được chính bạn")  # the last admin stays
    await second.send(f"/bientap them {ADMIN} admin", f"Đã thêm telegram:{ADMIN}")
    await admin.send("/bientap", "Ban biên tập")
