"""The bot's Bot API client sends each call as one JSON body, and a file as aiogram's
multipart form; what Telegram answers (a message, a 429, a refusal, silence) reads as before."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.platforms.telegram.service import make_bot
from bot.settings import Settings
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram

USER = 4242
TEXT = "Cảm ơn bạn! Tin <b>“Dạy học miễn phí”</b> đã gửi &amp; đang chờ duyệt. 100% 😊"
CHOICES = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Gửi tin ✅", callback_data="send:7:x=1&y=2")],
        [InlineKeyboardButton(text="Hủy", callback_data="cancel")],
    ]
)


@pytest.fixture
async def telegram(fake: FakeTelegram) -> AsyncIterator[tuple[FakeTelegram, Bot]]:
    """The bot's own client (``make_bot``, as the service builds it) and the fake API."""
    fake.push_text(USER, "/start")  # the member's private chat exists
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base=fake.base_url)
    bot = make_bot(settings)
    try:
        yield fake, bot
    finally:
        await bot.session.close()


async def test_a_reply_with_buttons_goes_as_json_and_arrives_as_written(
    telegram: tuple[FakeTelegram, Bot],
) -> None:
    fake, bot = telegram
    message = await bot.send_message(USER, TEXT, reply_markup=CHOICES)

    assert fake.bodies[-1] == ("sendMessage", "application/json")
    [sent] = [m for m in fake.messages(USER) if m.message_id == message.message_id]
    assert sent.text == TEXT  # the HTML source, every character as written
    assert sent.parse_mode == "HTML"  # the bot's default, applied as in a form
    assert sent.plain == "Cảm ơn bạn! Tin “Dạy học miễn phí” đã gửi & đang chờ duyệt. 100% 😊"
    assert sent.buttons == [[("Gửi tin ✅", "send:7:x=1&y=2")], [("Hủy", "cancel")]]
    assert sent.raw["link_preview_options"] == {"is_disabled": True}
    assert message.reply_markup is not None  # Telegram's answer, read back by aiogram
    read = [
        [(b.text, b.callback_data) for b in row] for row in message.reply_markup.inline_keyboard
    ]
    assert read == sent.buttons


async def test_a_photo_to_upload_goes_as_aiogram_s_multipart_form(
    telegram: tuple[FakeTelegram, Bot],
) -> None:
    fake, bot = telegram
    photo = BufferedInputFile(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, filename="anh.png")
    message = await bot.send_photo(USER, photo, caption=TEXT)

    assert fake.bodies[-1] == ("sendPhoto", "multipart/form-data")
    [sent] = [m for m in fake.messages(USER) if m.message_id == message.message_id]
    assert sent.text == TEXT and sent.media and sent.media[0][0] == "photo"


async def test_telegram_s_refusals_read_as_aiogram_s_errors(
    telegram: tuple[FakeTelegram, Bot],
) -> None:
    fake, bot = telegram
    fake.fail_next("sendMessage", status=429, retry_after=17)
    with pytest.raises(TelegramRetryAfter) as told:
        await bot.send_message(USER, "một")
    assert told.value.retry_after == 17

    fake.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(USER, "hai")

    fake.hang_next("sendMessage", 5)
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(USER, "ba", request_timeout=1)

    assert [m for m in fake.messages(USER) if m.text in ("một", "hai")] == []


async def test_no_server_at_all_is_a_network_error_not_a_crash() -> None:
    settings = Settings(
        _env_file=None, telegram_bot_token=TOKEN, telegram_api_base="http://127.0.0.1:9"
    )
    bot = make_bot(settings)
    try:
        with pytest.raises(TelegramNetworkError, match="ClientConnectorError"):
            await bot.send_message(USER, "không ai nghe")
    finally:
        await bot.session.close()
