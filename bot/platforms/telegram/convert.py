"""Telegram updates → the core's neutral events."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, User

from handlers.engine.types import Inbound, MediaRef, Other, typed


def _who(user: User | None) -> dict[str, str | None]:
    if user is None:
        return {"user_id": "0", "display_name": "", "username": None}
    return {"user_id": str(user.id), "display_name": user.full_name, "username": user.username}


def _other(message: Message) -> Other:
    for attribute in ("sticker", "voice", "audio", "document", "animation", "location", "contact"):
        if getattr(message, attribute, None) is not None:
            return attribute
    return "other"


def from_message(message: Message, update_id: int) -> Inbound:
    base = {
        "platform": "telegram",
        "update_key": f"telegram:{update_id}",
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
