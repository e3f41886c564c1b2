"""The platform-free core on its own: what only a core-level event can show."""

from __future__ import annotations

from bot.runtime.app import App
from handlers.engine.types import CALLBACK_LIMIT
from tests.support.core import event, texts


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
