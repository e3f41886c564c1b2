"""Zalo updates → the core's events, and replies → plain-text Zalo messages.

Zalo has no buttons, no markup and no editing: choices become a numbered list (answered by
number or by the label's words), and long texts are split at Zalo's 2000 characters.
"""

from __future__ import annotations

import logging

from bot.platforms.plain import plain_reply
from bot.platforms.textsplit import split
from bot.platforms.zalo.client import ZaloClient, ZaloError, ZaloNetworkError, ZaloUpdate
from bot.runtime.outbox import Delivery, Permanent, RetryLater, Transient, Unknown
from handlers.engine.texts import render
from handlers.engine.types import Inbound, MediaRef, Reply, Say, typed

log = logging.getLogger(__name__)
TEXT_LIMIT = 2000


def to_inbound(update: ZaloUpdate) -> Inbound | None:
    if update.is_bot:
        return None
    base = {
        "platform": "zalo",
        "update_key": f"zalo:{update.message_id}",
        "user_id": update.user_id,
        "chat_id": update.chat_id,
        "display_name": update.display_name,
        "message_id": update.message_id,
        "numbered_choices": True,
        "group": update.chat_type == "GROUP",
    }
    if update.photo_url:
        # Zalo gives a public URL: kept as is, Telegram's sendPhoto accepts it too.
        return Inbound(**base, media=(MediaRef("photo", update.photo_url),))  # type: ignore[arg-type]
    if update.event_name == "message.sticker.received":
        return Inbound(**base, other="sticker")  # type: ignore[arg-type]
    if update.text is not None:
        return typed(base, update.text)
    return Inbound(**base, other="other")  # type: ignore[arg-type]


class ZaloSender:
    """Sends a reply (or an outbox row) to one Zalo chat: photos by URL, then the text."""

    platform = "zalo"

    def __init__(self, client: ZaloClient) -> None:
        self.client = client

    async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Delivery:
        ids: list[str] = []
        try:
            for item in reply.media:
                if item.kind == "photo" and item.ref.startswith(("http://", "https://")):
                    ids.append(_id(await self.client.send_photo(chat_id, item.ref)))
            text = plain_reply(reply)
            if reply.files:  # Zalo's Bot API sends photos by URL only: no file uploads
                text += "\n\n" + render(
                    Say("files_unavailable.j2", {"count": len(reply.files)}), "plain"
                )
            for part in split(text, TEXT_LIMIT):
                ids.append(_id(await self.client.send_message(chat_id, part)))
        except ZaloNetworkError as error:
            if ids or error.maybe_delivered:
                raise Unknown(str(error)) from error
            raise Transient(str(error)) from error
        except ZaloError as error:
            if ids:
                raise Unknown(str(error)) from error
            if error.error_code == 429:
                raise RetryLater(5.0, str(error)) from error
            if (error.error_code or 0) >= 500 or error.status >= 500:
                raise Transient(str(error)) from error
            raise Permanent(str(error)) from error
        return Delivery(ids, None)


def _id(result: dict[str, object]) -> str:
    return str(result.get("message_id", ""))
