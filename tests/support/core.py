"""The platform-free core on its own: an event handed to ``app.core`` as a Zalo member's
(numbered choices, no buttons), and what the member reads back. The ``app`` fixture
(tests/conftest.py) is the built app, nothing served."""

from __future__ import annotations

import itertools

from bot.runtime.app import App
from handlers.engine.texts import render
from handlers.engine.types import Inbound

_keys = itertools.count()  # update keys unique in this process; each test has its own database


def event(**fields: object) -> Inbound:
    """Member u1 (Hà) on Zalo; ``fields`` replace or add to that."""
    base: dict[str, object] = {
        "platform": "zalo",
        "update_key": f"test:{next(_keys)}",
        "user_id": "u1",
        "chat_id": "u1",
        "display_name": "Hà",
        "numbered_choices": True,
    }
    return Inbound(**{**base, **fields})  # type: ignore[arg-type]


async def texts(app: App, **fields: object) -> list[str]:
    """Each reply to the event, as plain text."""
    return [render(reply.say, "plain") for reply in await app.core.handle(event(**fields))]


async def say(app: App, **fields: object) -> str:
    """The replies to the event, as one plain text."""
    return "\n".join(await texts(app, **fields))
