"""Correcting and taking down a published Telegram post (``Correctable``).

Bot API rules followed (https://core.telegram.org/bots/api#updating-messages): a message's
text is changed with ``editMessageText`` (1-4096 characters), a photo's or an album's caption
with ``editMessageCaption`` (0-1024); ``deleteMessage`` works only on messages sent less than
48 hours ago, so an older post is answered TOO_OLD without calling."""

from __future__ import annotations

import html
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramBadRequest

from bot.platforms.media import Change, ChangeResult
from bot.platforms.telegram.send import TEXT_LIMIT
from storage.clock import Clock
from storage.models import Outbox

CAPTION_LIMIT = 1024
DELETE_WINDOW = timedelta(hours=48)
TIMEOUT = 30


class TelegramChanges:
    def __init__(self, bot: Bot, clock: Clock) -> None:
        self.bot, self.clock = bot, clock

    async def correct(self, row: Outbox, text: str) -> ChangeResult:
        if not row.message_ids:
            return ChangeResult(Change.FAILED, "no message recorded")
        body, chat = html.escape(text), _chat(row.chat_id)
        try:
            if len(body) > TEXT_LIMIT:
                return ChangeResult(Change.FAILED, f"longer than {TEXT_LIMIT} characters")
            try:  # the text went as its own message, the last one of the post
                await self.bot.edit_message_text(
                    text=body, chat_id=chat, message_id=int(row.message_ids[-1]),
                    parse_mode="HTML", request_timeout=TIMEOUT,
                )  # fmt: skip
            except TelegramBadRequest as error:
                if "no text" not in str(error):
                    raise
                if len(body) > CAPTION_LIMIT:  # it went as the caption of the first photo
                    return ChangeResult(Change.FAILED, f"caption over {CAPTION_LIMIT} characters")
                await self.bot.edit_message_caption(
                    chat_id=chat, message_id=int(row.message_ids[0]), caption=body,
                    parse_mode="HTML", request_timeout=TIMEOUT,
                )  # fmt: skip
        except TelegramBadRequest as error:
            if "not modified" not in str(error):
                return ChangeResult(Change.FAILED, self._said(error))
        except AiogramError as error:
            return ChangeResult(Change.FAILED, self._said(error))
        return ChangeResult(Change.DONE)

    async def take_down(self, row: Outbox) -> ChangeResult:
        if row.sent_at is not None and self.clock() - row.sent_at >= DELETE_WINDOW:
            return ChangeResult(Change.TOO_OLD)
        chat = _chat(row.chat_id)
        for message_id in row.message_ids:
            try:
                await self.bot.delete_message(chat, int(message_id), request_timeout=TIMEOUT)
            except TelegramBadRequest as error:
                if "not found" not in str(error):  # already gone counts as done
                    return ChangeResult(Change.FAILED, self._said(error))
            except AiogramError as error:
                return ChangeResult(Change.FAILED, self._said(error))
        return ChangeResult(Change.DONE)

    def _said(self, error: AiogramError) -> str:
        return str(error).replace(self.bot.token, "<token>")[:200]


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
