"""An editor's /xem (in their private chat with the bot) shows a story's photos as that chat
can: a Telegram editor gets the Telegram file ids and the public URLs, a Zalo editor only what
Zalo can show (the URLs)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime.app import App
from bot.serve.compose import build
from handlers.engine.types import MediaRef
from storage.models import Media
from tests.conftest import FROZEN
from tests.harness import make_settings
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.archive import publish
from tests.support.core import event

EDITORS, ED1, ZALO_EDITOR = -100777, 9001, "ed-zalo-01"
FILE_ID, URL = "AgACAgIAAxk-telegram-file", "https://anh.example.vn/le-trao-qua.jpg"


@pytest.fixture
async def desk(db_url: str, fake: FakeTelegram) -> AsyncIterator[App]:
    """The bot with a Telegram editors' group and an editor on each platform, nothing served."""
    settings = make_settings(
        db_url, fake, editor_chat_id=EDITORS, editor_ids=f"telegram:{ED1},zalo:{ZALO_EDITOR}"
    )
    application = await build(settings)
    yield application
    await application.close()


async def story_with_two_photos(app: App) -> int:
    """A story with a photo sent on Telegram and one by its public address."""
    number = await publish(app, at=FROZEN)
    async with app.sessions() as session, session.begin():
        for ref, platform in ((FILE_ID, "telegram"), (URL, "zalo")):
            session.add(
                Media(
                    submission_id=number,
                    kind="photo",
                    ref=ref,
                    platform=platform,
                    source_key=f"{platform}:1",
                    created_at=FROZEN,
                )
            )
    return number


async def test_xem_shows_the_photos_the_editors_own_chat_can_show(desk: App) -> None:
    number = await story_with_two_photos(desk)
    [on_telegram] = await desk.core.handle(
        event(
            platform="telegram",
            user_id=str(ED1),
            chat_id=str(ED1),
            numbered_choices=False,
            text=f"/xem {number}",
            command="xem",
            args=str(number),
        )
    )
    assert on_telegram.media == (MediaRef("photo", FILE_ID), MediaRef("photo", URL))
    assert on_telegram.choices == ()  # a command's answer, not the card with its buttons
    [on_zalo] = await desk.core.handle(
        event(
            user_id=ZALO_EDITOR,
            chat_id=ZALO_EDITOR,
            text=f"/xem {number}",
            command="xem",
            args=str(number),
        )
    )
    assert on_zalo.media == (MediaRef("photo", URL),)  # a Telegram file id means nothing there
