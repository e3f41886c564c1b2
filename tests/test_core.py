"""The platform-free core on its own: what only a core-level event can show."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest

from bot.runtime.app import App
from bot.serve.compose import build
from handlers.engine.texts import render
from handlers.engine.types import CALLBACK_LIMIT, Inbound
from tests.harness import make_settings
from tests.platforms.telegram.fake_telegram import FakeTelegram

counter = itertools.count()


def event(**fields: object) -> Inbound:
    base: dict[str, object] = {
        "platform": "zalo",
        "update_key": f"test:{next(counter)}",
        "user_id": "u1",
        "chat_id": "u1",
        "display_name": "Hà",
        "numbered_choices": True,
    }
    return Inbound(**{**base, **fields})  # type: ignore[arg-type]


@pytest.fixture
async def app(db_url: str, fake: FakeTelegram) -> AsyncIterator[App]:
    application = await build(make_settings(db_url, fake))
    yield application
    await application.close()


async def texts(app: App, **fields: object) -> list[str]:
    return [render(r.say, "plain") for r in await app.core.handle(event(**fields))]


async def test_numbered_and_typed_choices_without_buttons(app: App) -> None:
    await texts(app, command="start")
    assert "Đã lưu đơn vị" in (await texts(app, text="2"))[0]  # the 2nd unit of the list
    await texts(app, command="gui")
    assert "Bước 2" in (await texts(app, text="tin tot"))[0]  # a label, without diacritics
    first_field = await texts(app, text="2")
    assert "Thời gian" in first_field[0]
    # In a text step a number is an answer, not a choice.
    assert "Địa điểm" in (await texts(app, text="2"))[0]


async def test_empty_and_whitespace_answers(app: App) -> None:
    await texts(app, command="start")
    await texts(app, text="1")
    await texts(app, command="gui")
    await texts(app, text="1")
    await texts(app, text="2")
    for blank in ("", "   ", "\n\t"):
        assert "đang trống" in (await texts(app, text=blank))[0]
    assert "Địa điểm" in (await texts(app, text="  Sáng 15/11  "))[0]


async def test_replayed_event_is_ignored(app: App) -> None:
    once = event(command="start")
    assert await app.core.handle(once)
    assert await app.core.handle(once) == []


async def test_every_button_fits_telegram(app: App) -> None:
    replies = await app.core.handle(event(command="start"))
    for reply in replies:
        for row in reply.choices:
            assert all(len(c.data.encode()) <= CALLBACK_LIMIT for c in row)
