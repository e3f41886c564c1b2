"""What a platform that can change a post after it went out offers (``/suabai``, ``/gobai``):
a contract the publish targets implement and the take-down commands call, without knowing
each other. The bytes of a post's photos come from ``bot.runtime.media`` (``MediaSource``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from storage.models import Outbox


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
