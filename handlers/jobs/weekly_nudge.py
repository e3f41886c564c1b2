"""The weekly nudge to units (``[reports] weekly_nudge``, e.g. "thu 09:00"): early enough in
the week to act on, each unit with nothing published and nothing waiting this week has its
contact people (``/lienhe``) told once. The figures are /report's own for this week
(``build_report``), so the board, the report and the nudge agree. Once a week per unit and
contact: the outbox key carries the ISO week. A nudge missed by a stopped bot goes within
12 hours, not later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.jobs.schedule import weekly_due
from handlers.reports.periods import make_period
from handlers.reports.report import build_report
from handlers.reports.report_data import UnitRow
from storage import contacts, outbox

GRACE = timedelta(hours=12)


def idle(row: UnitRow) -> bool:
    """Nothing of the unit's own published this week, nothing of it waiting, and nothing it
    posted on its own page itself."""
    return not row.published and not row.waiting and not row.direct


async def units(session: AsyncSession, *, deps: Deps, now: datetime) -> int:
    """Queue the week's nudges when due; the number queued now."""
    spec = deps.org.reports.weekly_nudge
    if spec is None:
        return 0
    monday = weekly_due(spec, now, deps.tz, GRACE)
    if monday is None:
        return 0
    people = await contacts.every(session)
    if not people:
        return 0
    period = make_period("tuan", monday, monday + timedelta(days=6), deps.tz)
    data = await build_report(session, deps=deps, period=period, unit=None)
    year, week, _ = monday.isocalendar()
    count = 0
    for row in data.units:
        if not idle(row):
            continue
        for who in people.get(row.code, []):
            platform, _, user_id = who.partition(":")
            count += await outbox.notice(
                session,
                to=(platform, user_id),  # a private chat's id is the user's id
                key=f"unitnudge:{year}-W{week:02d}:{row.code}:{who}"[:128],
                template="notice/unit_nudge.j2",
                context={"unit": row.name, "until": f"{monday + timedelta(days=6):%d/%m}"},
            )
    return count
