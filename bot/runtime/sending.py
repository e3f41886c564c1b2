"""What sending one outbox row can come to, as every platform's ``Sender`` reports it: a
``Delivery``, or one of the errors below, each telling the outbox worker
(``bot/runtime/outbox.py``) whether and when to try again."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from handlers.engine.types import Reply


class Delivery(NamedTuple):
    message_ids: list[str]
    link: str | None  # the public link of the first message, when the platform has one


class RetryLater(Exception):
    """The platform asked to wait (Telegram's 429); not a failed attempt."""

    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {seconds}s")
        self.seconds = seconds


class Transient(Exception):
    """A 5xx, or a connection that failed before the request left: safe to send again."""


class Unknown(Exception):
    """The request may have reached the platform: sending again may show it twice."""


class Permanent(Exception):
    """Refused for good (a bad request, a bot blocked or removed): sending again cannot help."""


class Held(Exception):
    """The person cannot be reached yet (outside a platform's window, e.g. the Zalo OA's 48
    hours): the row is held, not retried, and goes with their next message."""


class Unreachable(Permanent):
    """Refused for good because of the person (not following the account, inactive): the
    card of the submission the notice was about says so."""


class Sender(Protocol):
    platform: str

    async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Delivery: ...


# What became of one row: delivered, nothing to send (None), or one of the errors above.
Outcome = Delivery | Exception | None
