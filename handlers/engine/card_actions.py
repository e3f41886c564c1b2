"""Buttons on the editors' card that belong to a feature module (personal data, merging):
each module registers its own here, and ``review`` calls them for a waiting submission."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.engine.context import Ctx
from storage.models import Submission

CardAction = Callable[[Ctx, Submission, str], Awaitable[None]]
ACTIONS: dict[str, CardAction] = {}


def card_action(name: str) -> Callable[[CardAction], CardAction]:
    """``rv:<name>:<submission id>[:<arg>]`` on a pending submission's card calls this."""

    def register(handler: CardAction) -> CardAction:
        if name in ACTIONS:
            raise ValueError(f"card action registered twice: {name}")
        ACTIONS[name] = handler
        return handler

    return register
