"""The core's replies → Telegram calls: HTML, inline buttons, albums, limits and retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    InputMediaVideo,
)

from bot.platforms.textsplit import split, visible_html_len
from handlers.engine.texts import render
from handlers.engine.types import MediaRef, Reply

log = logging.getLogger(__name__)
T = TypeVar("T")
TEXT_LIMIT = 4096
ALERT_LIMIT = 200
ATTEMPTS = 4


async def call(make: Callable[[], Awaitable[T]]) -> T:
    """One Bot API call, waiting out a 429 and retrying a 5xx or a network error with backoff."""
    for attempt in range(ATTEMPTS):
        try:
            return await make()
        except TelegramRetryAfter as error:
            if attempt + 1 == ATTEMPTS:
                raise
            await asyncio.sleep(error.retry_after)
        except (TelegramServerError, TelegramNetworkError):
            if attempt + 1 == ATTEMPTS:
                raise
            await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def keyboard(reply: Reply) -> InlineKeyboardMarkup | ForceReply | None:
    if reply.force_reply and not reply.choices:
        return ForceReply()
    if not reply.choices:
        return None
    rows = [
        [InlineKeyboardButton(text=choice.label, callback_data=choice.data) for choice in row]
        for row in reply.choices
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def send_media(bot: Bot, chat_id: int, media: tuple[MediaRef, ...]) -> None:
    if len(media) == 1:
        item = media[0]
        if item.kind == "photo":
            await call(lambda: bot.send_photo(chat_id, item.ref))
        else:
            await call(lambda: bot.send_video(chat_id, item.ref))
        return
    for start in range(0, len(media), 10):
        chunk = media[start : start + 10]
        if len(chunk) == 1:
            await send_media(bot, chat_id, chunk)
            continue
        album = [
            InputMediaPhoto(media=m.ref) if m.kind == "photo" else InputMediaVideo(media=m.ref)
            for m in chunk
        ]
        await call(lambda album=album: bot.send_media_group(chat_id, album))  # type: ignore[misc]


async def deliver(bot: Bot, chat_id: int, reply: Reply, *, edit_message_id: int | None) -> None:
    """Send one reply; ``edit_message_id`` is the pressed message, edited in place when the
    reply asks for it and fits in one message."""
    text = render(reply.say, "html")
    parts = split(text, TEXT_LIMIT, visible_html_len)
    markup = keyboard(reply)
    if reply.message_id is not None:
        edit_message_id = int(reply.message_id)
    if (
        reply.edit
        and edit_message_id is not None
        and len(parts) == 1
        and not reply.media
        and not isinstance(markup, ForceReply)
    ):
        try:
            await call(
                lambda: bot.edit_message_text(
                    text=text,
                    chat_id=chat_id,
                    message_id=edit_message_id,
                    reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                )
            )
            return
        except TelegramBadRequest as error:
            if "not modified" in str(error):
                return
            log.info("could not edit message %s, sending anew: %s", edit_message_id, error)
    if reply.media:
        await send_media(bot, chat_id, reply.media)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await call(
            lambda part=part, last=last: bot.send_message(  # type: ignore[misc]
                chat_id, part, reply_markup=markup if last else None
            )
        )
    for item in reply.files:
        upload = BufferedInputFile(item.data, filename=item.name)
        if item.kind == "photo":
            await call(lambda upload=upload: bot.send_photo(chat_id, upload))  # type: ignore[misc]
        else:
            await call(lambda upload=upload: bot.send_document(chat_id, upload))  # type: ignore[misc]


def alert_text(reply: Reply) -> str:
    text = render(reply.say, "plain")
    return text if len(text) <= ALERT_LIMIT else text[: ALERT_LIMIT - 1] + "…"
