"""The OA's webhook events → the core's events.

Shapes as Zalo's OA docs give them ("Webhook", developers.zalo.me/docs/official-account/
webhook/): ``{"app_id", "event_name", "timestamp": "<ms>", "sender": {"id"}, "recipient":
{"id"}, "message": {"msg_id", "text", "attachments": [{"type", "payload": {"url"}}]}}`` for
what a member sends; ``follower.id`` for follow/unfollow and ``user_id`` for the chat button.
Every id and timestamp is a string. Events the OA itself causes (``oa_send_*``) and receipts
(``user_received_message``, ``user_seen_message``) are never answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.engine.types import Inbound, MediaRef, Other, typed

PLATFORM = "zalo_oa"
# What a member sends that the core cannot read, as the core calls it (it answers politely).
OTHER: dict[str, Other] = {
    "user_send_sticker": "sticker",
    "user_send_audio": "audio",
    "user_send_video": "animation",
    "user_send_file": "document",
    "user_send_location": "location",
    "user_send_gif": "animation",
    "user_send_business_card": "contact",
}
# A member reached the OA without a message: the 48-hour window opens, held notices go.
CONTACTS = ("follow", "user_click_chatnow", "user_submit_info")
IGNORED_PREFIXES = ("oa_send_",)
IGNORED = (
    "user_received_message",
    "user_seen_message",
    "user_reacted_message",
    "oa_reacted_message",
)


@dataclass(frozen=True)
class OAEvent:
    name: str
    user_id: str
    key: str  # what de-duplicates Zalo's retries: the msg_id, or event + user + timestamp
    timestamp_ms: int
    text: str | None = None
    photo_url: str | None = None

    @property
    def is_message(self) -> bool:
        return self.name.startswith("user_send_")


def ignored(name: object) -> bool:
    """Echoes and receipts: acknowledged, never stored nor answered."""
    return not isinstance(name, str) or name in IGNORED or name.startswith(IGNORED_PREFIXES)


def parse(raw: object) -> OAEvent | None:
    """An event the bot acts on, or None (an echo, a receipt, an unknown or broken shape)."""
    if not isinstance(raw, dict) or ignored(raw.get("event_name")):
        return None
    name = str(raw["event_name"])
    user = (
        _id(_get(raw, "sender", "id"))
        or _id(_get(raw, "follower", "id"))
        or _id(raw.get("user_id"))
    )
    stamp = _id(raw.get("timestamp")) or ""
    if user is None or not stamp.isdigit():
        return None
    message = raw.get("message") if isinstance(raw.get("message"), dict) else {}
    assert isinstance(message, dict)
    msg_id = _id(message.get("msg_id"))
    if name.startswith("user_send_") and msg_id is None:
        return None
    key = f"{PLATFORM}:{msg_id}" if msg_id else f"{PLATFORM}:{name}:{user}:{stamp}"
    text = message.get("text") if isinstance(message.get("text"), str) else None
    photo = _photo(message) if name == "user_send_image" else None
    return OAEvent(name, user, key[:96], int(stamp), text, photo)


def to_inbound(event: OAEvent) -> Inbound | None:
    """What the core hears of a member's message; None for follow, unfollow, the chat button."""
    if not event.is_message:
        return None
    base: dict[str, Any] = {
        "platform": PLATFORM,
        "update_key": event.key,
        "user_id": event.user_id,
        "chat_id": event.user_id,
        "message_id": event.key.removeprefix(f"{PLATFORM}:"),
        "numbered_choices": True,
    }
    if event.photo_url:
        return Inbound(**base, media=(MediaRef("photo", event.photo_url),))
    if event.name in OTHER:
        return Inbound(**base, other=OTHER[event.name])
    if event.name in ("user_send_text", "user_send_link") and event.text:
        return typed(base, event.text)
    return Inbound(**base, other="other")


def _photo(message: dict[str, Any]) -> str | None:
    for item in message.get("attachments") or []:
        if isinstance(item, dict) and isinstance(item.get("payload"), dict):
            url = item["payload"].get("url")
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                return url
    return None


def _get(raw: dict[str, Any], outer: str, inner: str) -> object:
    value = raw.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)
