"""People on the union's OA, and the bot set up to serve it beside the Telegram desk."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select

from storage.models import Outbox
from tests.harness import ADMIN, CHANNEL, ED1, EDITORS, Harness
from tests.platforms.zalo_oa.fake_oa import OA_SECRET_KEY, FakeOA, OASent
from tests.platforms.zalo_oa.fake_oauth import APP_ID, APP_SECRET, FIRST_REFRESH

OA_EDITOR = "oa-editor-7001"


def oa_settings(oa: FakeOA, port: int, **extra: Any) -> dict[str, Any]:
    """The OA beside Telegram's editors' group and channel; an OA admin who edits by text."""
    return {
        "zalo_oa_app_id": APP_ID,
        "zalo_oa_app_secret": APP_SECRET,
        "zalo_oa_secret_key": OA_SECRET_KEY,
        "zalo_oa_refresh_token": FIRST_REFRESH,
        "zalo_oa_api_base": oa.base_url,
        "zalo_oa_oauth_base": oa.base_url,
        "webhook_host": "127.0.0.1",
        "webhook_port": port,
        "editor_chat_id": EDITORS,
        "admin_ids": f"telegram:{ADMIN},zalo_oa:{OA_EDITOR}",
        "editor_ids": f"telegram:{ED1}",
        "publish_targets": f"telegram:{CHANNEL}",
        **extra,
    }


class OAChat:
    """One person's chat with the union's OA: they follow it, then write."""

    def __init__(self, oa: FakeOA, user_id: str) -> None:
        self.oa, self.id = oa, user_id

    def follow(self) -> None:
        self.oa.follow(self.id)

    async def send(self, text: str, expect: str | None = None) -> OASent:
        mark = self.oa.mark()
        self.oa.push_text(self.id, text)
        return await self.oa.wait_for(self.id, expect, after=mark)

    async def photo(self, expect: str) -> OASent:
        mark = self.oa.mark()
        self.oa.push_photo(self.id)
        return await self.oa.wait_for(self.id, expect, after=mark)


async def submit_on_oa(member: OAChat, *, photo: bool = True) -> None:
    """A member follows the OA, registers and sends raw information, all by typed numbers."""
    member.follow()
    units = await member.send("/start", "Chọn đơn vị")
    assert "\n2. Đoàn phường An Lạc\n" in (units.text or "")
    await member.send("2", "Đã lưu đơn vị")
    kinds = await member.send("/gui", "Bạn muốn gửi gì")
    assert "1. 🌱 Tin tốt" in (kinds.text or "") and "<b>" not in (kinds.text or "")
    await member.send("1", "Bước 2")
    await member.send("2", "Thời gian")  # 2. Thông tin thô
    for answer, prompt in zip(
        ["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học", "Lan tỏa"],
        ["Địa điểm", "Nhân vật", "Mục đích", "Ý nghĩa", "Ảnh"],
        strict=True,
    ):
        await member.send(answer, prompt)
    if photo:
        await member.photo("1/10")
        await member.send("1", "đồng ý cho đăng")  # 1. Xong
        preview = await member.send("3", "Xem lại")  # 3. Không có người trong ảnh
        assert "Ảnh/video: 1" in (preview.text or "")
    else:
        await member.send("bỏ qua", "Xem lại")
    await member.send("gửi", "Đã gửi")


async def held_for(bot: Harness, chat_id: str, count: int) -> set[str]:
    """The templates of the notices held for ``chat_id``, once there are ``count`` of them."""
    assert bot.app is not None
    for _ in range(200):
        async with bot.app.sessions() as session:
            query = select(Outbox).where(Outbox.status == "held", Outbox.chat_id == chat_id)
            rows = (await session.exec(query)).all()
        if len(rows) >= count:
            return {row.template or "" for row in rows}
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} notice(s) never held for {chat_id}")
