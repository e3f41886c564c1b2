"""What a platform that takes bytes (Facebook Pages, WordPress, the web archive) gets for a
photo or video of a post, and what a platform that can change a post after it went out
offers. Two small contracts, so that the media store, the publish targets and the
correction/take-down commands are written against each other without knowing each other."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from storage.models import Media, Outbox


@dataclass(frozen=True)
class MediaFile:
    """The bytes of one photo or video, from the bot's own media store (never a Telegram
    download link: it holds the token; never a Zalo URL: it may have expired)."""

    data: bytes
    mime: str  # e.g. image/jpeg, video/mp4
    name: str  # a file name for multipart uploads, e.g. "<sha256>.jpg"
    kind: str  # photo | video
    width: int | None = None
    height: int | None = None


class MediaSource(Protocol):
    async def get(self, media: Media) -> MediaFile:
        """The stored bytes of ``media``, fetched from its platform once when first needed;
        raises ``MediaUnavailable`` when they cannot be had."""
        ...


class MediaUnavailable(Exception):
    """A photo or video whose bytes cannot be had (gone at the source, too big, not media)."""


class Change(enum.StrEnum):
    """What became of a correction or a take-down on one target (templates name each)."""

    DONE = "done"
    NOT_ALLOWED = "not_allowed"  # the platform has no way to do it (Zalo)
    TOO_OLD = "too_old"  # e.g. a bot cannot delete a channel message older than 48 hours
    FAILED = "failed"  # the platform refused or did not answer; the reason goes with it


@dataclass(frozen=True)
class ChangeResult:
    change: Change
    reason: str = ""  # the platform's own words, one line, no secrets


class Correctable(Protocol):
    """A publish target's sender that can change what it posted (``/suabai``, ``/gobai``)."""

    async def correct(self, row: Outbox, text: str) -> ChangeResult:
        """Replace the text of the post ``row`` recorded (its message ids / post id)."""
        ...

    async def take_down(self, row: Outbox) -> ChangeResult:
        """Delete (or trash, or unpublish) the post ``row`` recorded."""
        ...
