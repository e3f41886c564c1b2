"""Telegram ↔ the core's neutral types: updates → events, replies → markup, aiogram's errors
→ the outbox's outcomes (https://core.telegram.org/bots/api#update)."""

from __future__ import annotations

from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    User,
)
from aiohttp import ClientConnectorError, ConnectionTimeoutError

from bot.runtime.sending import Permanent, RetryLater, Transient, Unknown
from handlers.engine.texts import render
from handlers.engine.types import Inbound, MediaRef, Other, Reply, typed

ALERT_LIMIT = 200
Markup = InlineKeyboardMarkup | ForceReply


def _who(user: User | None) -> dict[str, str | None]:
    if user is None:
        return {"user_id": "0", "display_name": "", "username": None}
    return {"user_id": str(user.id), "display_name": user.full_name, "username": user.username}


def _other(message: Message) -> Other:
    for attribute in ("sticker", "voice", "audio", "document", "animation", "location", "contact"):
        if getattr(message, attribute, None) is not None:
            return attribute
    return "other"


def _base(message: Message, update_key: str) -> dict[str, object]:
    return {
        "platform": "telegram",
        "update_key": update_key,
        "chat_id": str(message.chat.id),
        "message_id": str(message.message_id),
        "group": message.chat.type != "private",
        "reply_to": str(message.reply_to_message.message_id) if message.reply_to_message else None,
        "reply_to_user": (
            str(message.reply_to_message.from_user.id)
            if message.reply_to_message and message.reply_to_message.from_user
            else None
        ),
        **_who(message.from_user),
    }


def from_message(message: Message, update_id: int, *, superseded: bool = False) -> Inbound:
    """``superseded``: a later message of the same sender is already in hand."""
    base = _base(message, f"telegram:{update_id}") | {"superseded": superseded}
    group = message.media_group_id
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        media = MediaRef("photo", largest.file_id, largest.file_size, group)
        return Inbound(**base, media=(media,))  # type: ignore[arg-type]
    if message.video:
        media = MediaRef("video", message.video.file_id, message.video.file_size, group)
        return Inbound(**base, media=(media,))  # type: ignore[arg-type]
    if message.text is not None:
        return typed(base, message.text)
    return Inbound(**base, other=_other(message))  # type: ignore[arg-type]


def from_edit(message: Message) -> Inbound:
    """An edited message. Its key names the message, not the update: every later edit of it
    is then the same event, claimed once, so the member is told once per message."""
    key = f"telegram:edited:{message.chat.id}:{message.message_id}"
    return Inbound(**_base(message, key), other="edited")  # type: ignore[arg-type]


def from_callback(query: CallbackQuery, update_id: int) -> Inbound:
    message = query.message
    chat_id = str(message.chat.id) if message is not None else str(query.from_user.id)
    return Inbound(
        platform="telegram",
        update_key=f"telegram:{update_id}",
        chat_id=chat_id,
        choice=query.data or "",
        message_id=str(message.message_id) if message is not None else None,
        group=message is not None and message.chat.type != "private",
        **_who(query.from_user),  # type: ignore[arg-type]
    )


def keyboard(reply: Reply) -> Markup | None:
    if reply.force_reply and not reply.choices:
        return ForceReply()
    if not reply.choices:
        return None
    rows = [
        [InlineKeyboardButton(text=choice.label, callback_data=choice.data) for choice in row]
        for row in reply.choices
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def alert_text(reply: Reply) -> str:
    text = render(reply.say, "plain")
    return text if len(text) <= ALERT_LIMIT else text[: ALERT_LIMIT - 1] + "…"


def outcome(error: AiogramError, *, after_a_part: bool, token: str) -> Exception:
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


def link(message: Message) -> str | None:
    """The public link of a message in a channel or supergroup; private chats have none."""
    chat = message.chat
    if chat.type == "private":
        return None
    if chat.username:
        return f"https://t.me/{chat.username}/{message.message_id}"
    if str(chat.id).startswith("-100"):
        return f"https://t.me/c/{str(chat.id)[4:]}/{message.message_id}"
    return None  # a basic group: its messages have no link
