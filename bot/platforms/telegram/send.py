"""The one Telegram sender, for direct replies and for the outbox: HTML, inline buttons, a
post's text as the caption of its media when it fits, albums of up to 10, long texts split
under 4096; every call paced by the shared ``RateLimiter`` (direct replies first) and given a
timeout; aiogram's errors turned into the outbox's outcomes (https://core.telegram.org/bots/api#sendmessage,
https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from functools import partial

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
)
from aiogram.methods.base import Response
from aiogram.types import (
    BufferedInputFile,
    ForceReply,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    InputMediaVideo,
    MediaUnion,
    Message,
)

from bot.platforms.telegram.convert import Markup, keyboard, link, outcome
from bot.platforms.textsplit import split, visible_html_len
from bot.runtime.ratelimit import RateLimiter
from bot.runtime.sending import Delivery, Permanent
from handlers.engine.texts import render
from handlers.engine.types import MediaRef, Reply

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALBUM_LIMIT = 10
HTML = "HTML"
Call = Callable[[], Awaitable[Message | list[Message]]]
# aiogram reads each answer as ``Response[<the method's type>]``, a generic that pydantic
# caches weakly: once collected it is built again (milliseconds, the profile's top entry
# among aiogram's) on a later send. Held for the process's life.
_ANSWERS = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        SendMessage,
        SendPhoto,
        SendMediaGroup,
        EditMessageText,
        EditMessageReplyMarkup,
        AnswerCallbackQuery,
    )
)


class TelegramSender:
    platform = "telegram"

    def __init__(self, bot: Bot, limiter: RateLimiter, *, request_timeout: int = 30) -> None:
        self.bot, self.limiter, self.request_timeout = bot, limiter, request_timeout

    async def send(
        self, chat_id: str, reply: Reply, *, kind: str, pressed: str | None = None
    ) -> Delivery:
        """``pressed``: the message whose button was pressed, edited in place when the reply
        asks for it and fits in one message; else (or when the edit is refused) sent anew.
        A reply naming its ``message_id`` (a card updated from elsewhere) is only edited."""
        urgent = kind == "reply"  # a member waits for it: before the outbox's sends
        if reply.edit and reply.message_id is not None:
            return await self._edit(chat_id, reply, reply.message_id, urgent=urgent)
        if reply.edit and pressed is not None and self._editable(reply):
            try:
                return await self._edit(chat_id, reply, pressed, urgent=urgent)
            except Permanent as error:
                log.info("could not edit message %s, sending anew: %s", pressed, error)
        sent: list[Message] = []
        for count, call in self._calls(chat_id, reply):
            await self.limiter.acquire(chat_id, count, urgent=urgent)
            try:
                result = await call()
            except AiogramError as error:
                raise outcome(error, after_a_part=bool(sent), token=self.bot.token) from error
            self.limiter.sent(chat_id, count)
            sent.extend(result if isinstance(result, list) else [result])
        return Delivery([str(m.message_id) for m in sent], link(sent[0]) if sent else None)

    async def drop_keyboard(self, chat_id: str, message_id: str) -> None:
        """Take the buttons off a message whose choice is made (or stale). An edit, not a
        new message: it takes no turn of the chat's pace."""
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=_chat(chat_id),
                message_id=int(message_id),
                reply_markup=None,
                request_timeout=self.request_timeout,
            )
        except AiogramError as error:
            raise outcome(error, after_a_part=False, token=self.bot.token) from error

    @staticmethod
    def _editable(reply: Reply) -> bool:
        text = render(reply.say, "html")
        return not reply.media and not reply.force_reply and visible_html_len(text) <= TEXT_LIMIT

    async def _edit(self, chat_id: str, reply: Reply, message_id: str, *, urgent: bool) -> Delivery:
        markup = keyboard(reply)
        await self.limiter.acquire(chat_id, urgent=urgent)
        try:
            await self.bot.edit_message_text(
                text=render(reply.say, "html"),
                chat_id=_chat(chat_id),
                message_id=int(message_id),
                parse_mode=HTML,
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                request_timeout=self.request_timeout,
            )
        except TelegramBadRequest as error:
            if "not modified" not in str(error):  # the same text already shows: done
                raise outcome(error, after_a_part=False, token=self.bot.token) from error
        except AiogramError as error:
            raise outcome(error, after_a_part=False, token=self.bot.token) from error
        return Delivery([message_id], None)

    def _calls(self, chat_id: str, reply: Reply) -> Iterator[tuple[int, Call]]:
        """(messages it sends, the call) in order."""
        chat = _chat(chat_id)
        text = render(reply.say, "html")
        markup = keyboard(reply) or (ForceReply(selective=False) if reply.force_reply else None)
        # An album takes no keyboard: with one, the text goes apart to carry it.
        caption = (
            reply.as_caption
            and visible_html_len(text) <= CAPTION_LIMIT
            and (len(reply.media) == 1 or markup is None)
        )
        for start in range(0, len(reply.media), ALBUM_LIMIT):
            chunk = reply.media[start : start + ALBUM_LIMIT]
            first = caption and start == 0
            call = self._media(chat, chunk, text if first else None, markup if first else None)
            yield len(chunk), call
        parts = [] if reply.media and caption else split(text, TEXT_LIMIT, visible_html_len)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            call = partial(
                self.bot.send_message,
                chat,
                part,
                parse_mode=HTML,
                reply_markup=markup if last else None,
                request_timeout=self.request_timeout,
            )
            yield 1, call
        for item in reply.files:  # a report's workbook and chart, uploaded
            upload = BufferedInputFile(item.data, filename=item.name)
            send = self.bot.send_photo if item.kind == "photo" else self.bot.send_document
            yield 1, partial(send, chat, upload, request_timeout=self.request_timeout)

    def _media(
        self,
        chat: int | str,
        chunk: tuple[MediaRef, ...],
        caption: str | None,
        markup: Markup | None,
    ) -> Call:
        timeout = self.request_timeout
        if len(chunk) > 1:
            album: list[MediaUnion] = [
                (InputMediaPhoto if m.kind == "photo" else InputMediaVideo)(
                    media=m.ref, caption=caption if i == 0 else None, parse_mode=HTML
                )
                for i, m in enumerate(chunk)
            ]
            return partial(self.bot.send_media_group, chat, album, request_timeout=timeout)
        send = self.bot.send_photo if chunk[0].kind == "photo" else self.bot.send_video
        return partial(
            send,
            chat,
            chunk[0].ref,
            caption=caption,
            parse_mode=HTML,
            reply_markup=markup,
            request_timeout=timeout,
        )


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
