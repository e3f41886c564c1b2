"""The outbox's sender for Telegram: a post's text as the caption of its media when it fits,
else media then text; albums of up to 10; each call paced and given a timeout; aiogram's
errors turned into the worker's outcomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from functools import partial

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    ForceReply,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    InputMediaVideo,
    MediaUnion,
    Message,
)
from aiohttp import ClientConnectorError, ConnectionTimeoutError

from bot.platforms.telegram.send import TEXT_LIMIT, keyboard
from bot.platforms.textsplit import split, visible_html_len
from bot.runtime.outbox import Delivery, Permanent, RetryLater, Transient, Unknown
from bot.runtime.ratelimit import RateLimiter
from handlers.engine.texts import render
from handlers.engine.types import MediaRef, Reply

CAPTION_LIMIT = 1024
ALBUM_LIMIT = 10
HTML = "HTML"
Markup = InlineKeyboardMarkup | ForceReply
Call = Callable[[], Awaitable[Message | list[Message]]]


class TelegramSender:
    platform = "telegram"

    def __init__(self, bot: Bot, limiter: RateLimiter, *, request_timeout: int = 30) -> None:
        self.bot, self.limiter, self.request_timeout = bot, limiter, request_timeout

    async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Delivery:
        if reply.edit and reply.message_id is not None:
            return await self._edit(chat_id, reply, reply.message_id)
        sent: list[Message] = []
        for count, call in self._calls(chat_id, reply):
            await self.limiter.acquire(chat_id, count)
            try:
                result = await call()
            except AiogramError as error:
                raise _outcome(error, after_a_part=bool(sent), token=self.bot.token) from error
            sent.extend(result if isinstance(result, list) else [result])
        return Delivery([str(m.message_id) for m in sent], _link(sent[0]) if sent else None)

    async def _edit(self, chat_id: str, reply: Reply, message_id: str) -> Delivery:
        """A card updated after a decision made elsewhere (e.g. from Zalo)."""
        markup = keyboard(reply)
        await self.limiter.acquire(chat_id)
        try:
            await self.bot.edit_message_text(
                text=render(reply.say, "html"),
                chat_id=int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id,
                message_id=int(message_id),
                parse_mode=HTML,
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                request_timeout=self.request_timeout,
            )
        except TelegramBadRequest as error:
            if "not modified" not in str(error):  # the same text already shows: done
                raise _outcome(error, after_a_part=False, token=self.bot.token) from error
        except AiogramError as error:
            raise _outcome(error, after_a_part=False, token=self.bot.token) from error
        return Delivery([message_id], None)

    def _calls(self, chat_id: str, reply: Reply) -> Iterator[tuple[int, Call]]:
        """(messages it sends, the call) in order."""
        chat: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
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
        yield from self._files(chat, reply)

    def _files(self, chat: int | str, reply: Reply) -> Iterator[tuple[int, Call]]:
        """A report's workbook and chart, uploaded (they exist nowhere else)."""
        for item in reply.files:
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


def _outcome(error: AiogramError, *, after_a_part: bool, token: str) -> Exception:
    detail = f"{type(error).__name__}: {error}".replace(token, "<token>")
    if after_a_part:  # sending it all again would repeat the parts that went
        return Unknown(f"after a part was sent: {detail}")
    if isinstance(error, TelegramRetryAfter):
        return RetryLater(error.retry_after, detail)
    if isinstance(error, TelegramServerError):
        return Transient(detail)
    if isinstance(error, TelegramNetworkError) and not isinstance(error, TelegramEntityTooLarge):
        # Only a connection that never opened proves the request did not leave; a timeout or a
        # connection lost mid-request may follow a message Telegram already shows.
        never_left = isinstance(error.__cause__, ClientConnectorError | ConnectionTimeoutError)
        return Transient(detail) if never_left else Unknown(detail)
    if isinstance(error, TelegramAPIError):
        return Permanent(detail)
    return Unknown(detail)  # e.g. an answer that is not the Bot API's: something received it


def _link(message: Message) -> str | None:
    """The public link of a message in a channel or supergroup; private chats have none."""
    chat = message.chat
    if chat.type == "private":
        return None
    if chat.username:
        return f"https://t.me/{chat.username}/{message.message_id}"
    if str(chat.id).startswith("-100"):
        return f"https://t.me/c/{str(chat.id)[4:]}/{message.message_id}"
    return None  # a basic group: its messages have no link
