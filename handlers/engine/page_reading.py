"""What a platform that can read a page it publishes to offers the counting of units' own
posts (``handlers/pages/``): its posts since a moment and its audience. A platform-free
contract, like ``Corrector``: the platform's reader is registered in ``Deps.readers`` under
its name when the platform opens, and the job never knows which platform it asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class PagePost:
    """One post on a page or site, as the platform gives it."""

    id: str  # as the bot's outbox records its own posts there
    text: str  # the message (a site's title and content, markup removed)
    link: str | None
    at: datetime  # aware


@dataclass(frozen=True)
class Audience:
    followers: int | None
    fans: int | None  # a Facebook page's likes; None where there are none


class ReadRefused(Exception):
    """The platform refused the reading (a dead token, a revoked password). The platform has
    already told the admins, once per token and problem, as for publishing."""


class PageReader(Protocol):
    async def posts(self, target: str, since: datetime) -> list[PagePost]:
        """Every post of ``target`` (a page id, a site's name) made since ``since``, every page
        of the answer followed; raises ``ReadRefused``, or the network's error."""
        ...

    async def audience(self, target: str) -> Audience | None:
        """Followers now; None when the platform has no such figure."""
        ...
