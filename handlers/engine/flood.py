"""A member who floods the bot (a script, a stuck key) is throttled so that their chat stays
readable and the bot's work stays fair.

The rule: more than ``LIMIT`` counted messages within ``WINDOW`` (a window opens at the first
one) is a flood. A person typing fast sends a few messages in ten seconds, never twenty.
Photos and videos (an album comes as up to 10 updates at once) and button presses are never
counted nor skipped: they are the member's content and choices. In a flood, a message is
skipped (claimed, so never handled later) only when a later message of the same member is
already in hand (``Inbound.superseded``, known to polling): the latest is always handled, so
the member's last answer counts. The member is told once per flood, not once a
window; the flood ends with the first window that stays within the limit.

The count lives in the member's row (``step_data``), kept across step changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from handlers.engine.context import Ctx
from storage.models import Member

LIMIT = 20  # messages (N) ...
WINDOW = timedelta(seconds=10)  # ... within this time (M); the 21st is a flood
KEY = "flood"  # in Member.step_data: [window start (ISO), count, told]


class Verdict(NamedTuple):
    handle: bool
    warn: bool
    # The member's new count, stored by ``keep`` once the update is handled: set before, it
    # would be flushed on its own by the handler's first query (the member's row written
    # twice in one update). None: this update is not counted.
    counted: list[object] | None = None


def counted(ctx: Ctx) -> bool:
    event = ctx.event
    return event.choice is None and not event.media and event.other != "edited"


def check(ctx: Ctx, now: datetime) -> Verdict:
    """Count this update; say whether to handle it and whether to tell the member."""
    if not counted(ctx):
        return Verdict(handle=True, warn=False)
    start, count, told = _read(ctx.member)
    if start is None or now - start > WINDOW:
        # A new window; a member told in a window still over the limit is not told again.
        told = told and count > LIMIT
        start, count = now, 0
    count += 1
    over = count > LIMIT
    return Verdict(
        handle=not (over and ctx.event.superseded),
        warn=over and not told,
        counted=[start.isoformat(), count, told or over],
    )


def keep(member: Member, before: dict[str, object], verdict: Verdict) -> None:
    """After the update: store its count, or put the count back when a step change replaced
    ``step_data`` (``before``: as it was when the update came)."""
    data = member.step_data or {}
    if verdict.counted is not None:
        # A new dict: SQLAlchemy does not see changes made inside a JSON value.
        member.step_data = {**data, KEY: verdict.counted}
    elif KEY in before and KEY not in data:
        member.step_data = {**data, KEY: before[KEY]}


def _read(member: Member) -> tuple[datetime | None, int, bool]:
    value = (member.step_data or {}).get(KEY)
    if not isinstance(value, list) or len(value) != 3:  # none yet, or an unknown shape
        return None, 0, False
    start, count, told = value
    try:
        return datetime.fromisoformat(str(start)), int(count), bool(told)
    except (TypeError, ValueError):
        return None, 0, False
