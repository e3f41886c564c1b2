"""The one clock. Nothing else in ``bot/``, ``handlers/`` or ``storage/`` reads the time of day
or a timer (``tests/test_clock.py`` fails if one does): code gets ``now`` from its caller, from
``Deps.clock``, or from the clock its database session was made with (``now(session)``), so a
test, a replay or libfaketime sets the time for the whole bot at once.

Rows are stamped the same way: a new row's ``created_at`` / ``updated_at`` / ``not_before``
left empty are filled at flush from the session's clock (``stamp``), never by a model default
reading the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

Clock = Callable[[], datetime]  # an aware UTC datetime
STAMPED = ("created_at", "updated_at", "not_before")


def system() -> datetime:
    """The wall clock, in UTC: what production runs on."""
    return datetime.now(UTC)


def monotonic() -> float:
    """Seconds on a clock that never goes back: for rate limits and timeouts, not dates."""
    return time.monotonic()


def of(session: Any) -> Clock:
    """The clock a session was made with (``storage.db.make_sessions``)."""
    clock = session.info.get("clock")
    if clock is None:
        raise RuntimeError("a database session made without a clock: use make_sessions(engine)")
    return clock  # type: ignore[no-any-return]


def now(session: Any) -> datetime:
    return of(session)()


def stamp(session: Any, _context: Any, _instances: Iterable[Any] | None) -> None:
    """``before_flush``: fill the empty time stamps of new rows from the session's clock."""
    if not session.new:
        return
    at = now(session)
    for row in session.new:
        for name in STAMPED:
            if hasattr(row, name) and getattr(row, name) is None:
                setattr(row, name, at)
