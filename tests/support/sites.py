"""The bot publishing to a Telegram channel and a (fake) WordPress site, and the steps that
bring an item there: shared by the WordPress and the take-down stories."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

# Imported before a bot starts: importing aiogram inside the running loop stalls it for
# seconds on a busy machine, longer than the tests' waits.
import bot.platforms.telegram.service
import bot.platforms.wordpress.service  # noqa: F401
from storage.models import Outbox
from tests.fake_base import PATIENCE
from tests.harness import ADMIN, CHANNEL, ED1, EDITORS, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.wordpress.fake_wordpress import PASSWORD, USER, FakeWordPress, Photos
from tests.support.flows import card, press, submit_raw

NOW = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam, in "Nhà giáo trẻ"


def site_bot(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress, *, status: str = "", **extra: Any
) -> Harness:
    values: dict[str, Any] = {
        "editor_chat_id": EDITORS,
        "admin_ids": f"telegram:{ADMIN}",
        "editor_ids": f"telegram:{ED1}",
        "publish_targets": f"telegram:{CHANNEL},wordpress:doan",
        "wordpress_sites": f"doan={wp.base_url}",
        "wordpress_credentials": f"doan={USER}:{PASSWORD}",
        "wordpress_status": f"doan={status}" if status else "",
    }
    harness = Harness(db_url=db_url, fake=fake, now=NOW, **(values | extra))
    harness.media = Photos()
    return harness


async def until(check: Callable[[], bool], seconds: float = PATIENCE) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


async def approved(bot: Harness, fake: FakeTelegram, answers: list[str] | None = None) -> None:
    """Lan sends raw information with two photos; an editor approves it on the card."""
    await submit_raw(bot.member(1001), fake, answers, photos=2)
    await card(fake)
    press(fake, ED1, "Duyệt")


async def post_rows(bot: Harness) -> list[Outbox]:
    assert bot.app is not None
    async with bot.app.sessions() as session:
        return list((await session.exec(select(Outbox).where(Outbox.kind == "post"))).all())
