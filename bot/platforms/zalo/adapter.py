"""Zalo updates → the core's events, and replies → plain-text Zalo messages.

Zalo has no buttons, no markup and no editing: choices become a numbered list (answered by
number or by the label's words), and long texts are split at Zalo's 2000 units (UTF-16, see
``client``). Messages are counted against the free plan's monthly cap, so the replies of one
step go out as one message where they can.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.platforms.media import Change, ChangeResult
from bot.platforms.plain import plain_reply
from bot.platforms.textsplit import split, utf16_len
from bot.platforms.zalo.client import (
    TEXT_LIMIT,
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloUpdate,
    looks_like_quota,
)
from bot.runtime.sending import Delivery, Permanent, RetryLater, Transient, Unknown
from handlers.engine.texts import render
from handlers.engine.types import Inbound, MediaRef, Reply, Say, typed
from storage.models import Outbox

log = logging.getLogger(__name__)
QUOTA_RETRY_SECONDS = 900.0  # a refused message is offered again after 15 minutes
# Events named in Zalo's docs that carry no text or photo we can read, and what the core
# calls them; any other event name without text or photo is "other". Both get a polite answer.
OTHER_EVENTS = {"message.sticker.received": "sticker", "message.voice.received": "voice"}
Message = tuple[str, tuple[MediaRef, ...], str]  # chat, photos, text


class QuotaRefused(RetryLater):
    """Zalo refused a send as over quota or not allowed: the message waits and is retried."""


def to_inbound(update: ZaloUpdate) -> Inbound | None:
    if update.is_bot:
        return None
    group = update.chat_type == "GROUP"
    base = {
        "platform": "zalo",
        "update_key": f"zalo:{update.message_id}",
        "user_id": update.user_id,
        "chat_id": update.chat_id,
        "display_name": update.display_name,
        "message_id": update.message_id,
        "numbered_choices": True,
        "group": group,
    }
    if update.photo_url:
        # Zalo gives a public URL: kept as is, Telegram's sendPhoto accepts it too.
        return Inbound(**base, media=(MediaRef("photo", update.photo_url),))  # type: ignore[arg-type]
    if update.event_name in OTHER_EVENTS:
        return Inbound(**base, other=OTHER_EVENTS[update.event_name])  # type: ignore[arg-type]
    if update.text is not None:
        return typed(base, _after_mention(update.text) if group else update.text)
    return Inbound(**base, other="other")  # type: ignore[arg-type]


def _after_mention(text: str) -> str:
    """In a group the bot sees only messages that mention it ("@Tin Tốt /toi"): the command
    after the mention. The mention's form is undocumented; a name may hold spaces."""
    if text.startswith("@") and (at := text.find(" /")) > 0:
        return text[at + 1 :]
    return text


def merged(replies: Sequence[Reply], chat_id: str) -> list[Message]:
    """One message per step: consecutive replies to one chat become one text (a reply with
    photos starts a new one, its photos first). Only the last numbered list is kept, the
    only one the core maps "1", "2" back from."""
    listed = [i for i, reply in enumerate(replies) if reply.choices and not reply.alert]
    messages: list[Message] = []
    for index, reply in enumerate(replies):
        if reply.choices and (not listed or index != listed[-1]):
            reply = Reply(reply.say, media=reply.media, files=reply.files)
        chat, text = reply.chat_id or chat_id, reply_text(reply)
        if messages and messages[-1][0] == chat and not reply.media:
            messages[-1] = (chat, messages[-1][1], f"{messages[-1][2]}\n\n{text}")
        else:
            messages.append((chat, reply.media, text))
    return messages


def reply_text(reply: Reply) -> str:
    text = plain_reply(reply)
    if reply.files:  # Zalo's Bot API sends photos by URL only: no file uploads
        text += "\n\n" + render(Say("files_unavailable.j2", {"count": len(reply.files)}), "plain")
    return text


class ZaloSender:
    """Sends a reply (or an outbox row) to one Zalo chat: photos by URL, then the text.
    ``on_sent`` counts each message that went out; ``on_refused`` hears of a quota refusal."""

    platform = "zalo"

    def __init__(
        self,
        client: ZaloClient,
        *,
        on_sent: Callable[[int], Awaitable[object]] | None = None,
        on_refused: Callable[[str], Awaitable[object]] | None = None,
        photo_url: Callable[[MediaRef], Awaitable[str]] | None = None,
    ) -> None:
        self.client, self.on_sent, self.on_refused = client, on_sent, on_refused
        self.photo_url = photo_url  # the media store's URL for a photo (``photos.PhotoUrls``)

    async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Delivery:
        return await self.send_text(chat_id, reply.media, reply_text(reply))

    async def correct(self, row: Outbox, text: str) -> ChangeResult:
        return ChangeResult(Change.NOT_ALLOWED)  # the Zalo Bot API has no edit method

    async def take_down(self, row: Outbox) -> ChangeResult:
        return ChangeResult(Change.NOT_ALLOWED)  # nor any delete method

    async def send_text(self, chat_id: str, media: Sequence[MediaRef], text: str) -> Delivery:
        ids: list[str] = []
        try:
            for item in media:
                if item.kind == "photo" and item.ref.startswith(("http://", "https://")):
                    url = await self.photo_url(item) if self.photo_url else item.ref
                    ids.append(_id(await self.client.send_photo(chat_id, url)))
            for part in split(text, TEXT_LIMIT, utf16_len):
                ids.append(_id(await self.client.send_message(chat_id, part)))
        except ZaloNetworkError as error:
            if ids or error.maybe_delivered:
                raise Unknown(str(error)) from error
            raise Transient(str(error)) from error
        except ZaloError as error:
            if ids:
                raise Unknown(str(error)) from error
            if looks_like_quota(error):
                await self._hook(self.on_refused, error.description)
                raise QuotaRefused(QUOTA_RETRY_SECONDS, str(error)) from error
            if error.error_code == 429:
                raise RetryLater(5.0, str(error)) from error
            if (error.error_code or 0) >= 500 or error.status >= 500:
                raise Transient(str(error)) from error
            raise Permanent(str(error)) from error
        finally:
            if ids:
                await self._hook(self.on_sent, len(ids))
        return Delivery(ids, None)

    async def _hook(self, hook: Callable[[Any], Awaitable[object]] | None, arg: object) -> None:
        """Counting and telling admins must never turn a send into a failure."""
        if hook is not None:
            try:
                await hook(arg)
            except Exception:
                log.exception("Zalo usage bookkeeping failed")


def _id(result: dict[str, object]) -> str:
    return str(result.get("message_id", ""))
