"""The neutral language between the core and the platform adapters.

An adapter turns a platform's update into an ``Inbound`` and the core's ``Reply`` objects into
the platform's calls. Nothing here knows aiogram or Zalo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

MediaKind = Literal["photo", "video"]
# What arrived when it was not text, a photo or a video: the core answers each politely.
# "edited": a message the member changed after sending it (edits are not taken).
Other = Literal[
    "sticker", "voice", "audio", "document", "animation", "location", "contact", "other", "edited"
]
CALLBACK_LIMIT = 64  # bytes: Telegram's callback_data limit, the strictest of our platforms


@dataclass(frozen=True)
class MediaRef:
    kind: MediaKind
    ref: str  # a platform file id or a public URL; never a download link with a token in it
    size: int | None = None
    media_group_id: str | None = None


@dataclass(frozen=True)
class Inbound:
    platform: str
    update_key: str  # unique per update, e.g. "telegram:812345"; claimed once in the database
    user_id: str
    chat_id: str
    display_name: str = ""
    username: str | None = None
    text: str | None = None
    command: str | None = None  # "gui" for "/gui" or "/gui@TinTotBot"
    args: str = ""
    choice: str | None = None  # the payload of a pressed button
    media: tuple[MediaRef, ...] = ()
    other: Other | None = None
    message_id: str | None = None  # the message carrying a pressed button
    numbered_choices: bool = False  # the platform has no buttons: "2" or a label picks a choice
    group: bool = False  # from a group chat (the editors' group), not a private chat
    reply_to: str | None = None  # the message this one answers, if any
    reply_to_user: str | None = None  # who wrote that message (to name someone by replying)
    # Fetched again after a restart: handled before, but the answer may not have gone out.
    replay: bool = False
    # A later message of the same sender is already in hand: a flooding member's is skipped.
    superseded: bool = False


@dataclass(frozen=True)
class Choice:
    label: str  # plain text, shown as a button or as a numbered line
    data: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.data.encode()) <= CALLBACK_LIMIT:
            raise ValueError(f"choice data must be 1-{CALLBACK_LIMIT} bytes: {self.data!r}")


@dataclass(frozen=True)
class Say:
    """A template and its context; each adapter renders it in its own markup."""

    template: str
    ctx: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FileOut:
    """A file sent with a reply (a report's workbook, its chart)."""

    name: str
    data: bytes
    kind: Literal["document", "photo"] = "document"


@dataclass(frozen=True)
class Reply:
    say: Say
    choices: tuple[tuple[Choice, ...], ...] = ()
    media: tuple[MediaRef, ...] = ()  # sent before the text (an album when several)
    edit: bool = False  # replace the message whose button was pressed instead of sending anew
    message_id: str | None = None  # with edit: this message rather than the pressed one
    alert: bool = False  # a short notice for a pressed button (a popup on Telegram)
    chat_id: str | None = None  # None: the chat the update came from
    platform: str | None = None  # None: the platform the update came from
    as_caption: bool = False  # a post: the text goes as the media's caption when it fits
    force_reply: bool = False  # ask for an answer in a group: the client replies to this message
    files: tuple[FileOut, ...] = ()  # sent after the text; platforms that cannot, say so


def typed(base: Mapping[str, Any], text: str) -> Inbound:
    """A typed message as an event: ``/gui@TinTotBot args`` is the command ``gui``, anything
    else is text. Every adapter reads commands this one way."""
    if text.startswith("/") and len(text) > 1:
        word, _, rest = text.partition(" ")
        command = word[1:].split("@", 1)[0].lower()
        return Inbound(**base, text=text, command=command, args=rest.strip())
    return Inbound(**base, text=text)


def rows(choices: list[Choice], per_row: int = 1) -> tuple[tuple[Choice, ...], ...]:
    return tuple(tuple(choices[i : i + per_row]) for i in range(0, len(choices), per_row))
