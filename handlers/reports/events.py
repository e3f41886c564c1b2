"""/report dot <key> [năm]: an event's report, over its days and its units' subtrees; and the
events of a year, each a sheet of the yearly workbook."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.engine.textnorm import fold
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.org import OrgConfig
from handlers.org_dates import Event
from handlers.reports.periods import PeriodError, _year, midnight_utc
from handlers.reports.report_data import Period, ReportData


class EventUnknown(LookupError):
    def __init__(self, words: str, keys: list[str]) -> None:
        super().__init__(words)
        self.words, self.keys = words, keys


def wants_event(words: str) -> bool:
    return fold(words).split()[:1] == ["dot"]


def parse_event(words: str, *, org: OrgConfig, today: date, tz: ZoneInfo) -> tuple[Period, Event]:
    """``dot <key>`` (the occurrence begun last) or ``dot <key> <yyyy>`` (that year's)."""
    parts = words.split()[1:]
    if not parts or len(parts) > 2:
        raise PeriodError(words)
    event = org.event(parts[0].lower())
    if event is None:
        raise EventUnknown(parts[0][:40], [e.key for e in org.events])
    if len(parts) == 2:
        found = event.in_year(_year(fold(parts[1])))
        if found is None:
            raise PeriodError(words)
        start, end = found
    else:
        start, end = event.latest(today)
    return event_period(event, start, end, tz), event


def event_period(event: Event, start: date, end: date, tz: ZoneInfo) -> Period:
    context = {"kind": "dot", "start": start, "end": end, "event_title": event.title}
    label = render(Say("report/period.j2", context), "plain")
    after = date.fromordinal(end.toordinal() + 1)
    return Period("dot", start, end, label, midnight_utc(start, tz), midnight_utc(after, tz))


def of_year(org: OrgConfig, year: int, tz: ZoneInfo) -> list[tuple[Period, Event]]:
    """The events with an occurrence starting in ``year``, in the file's order."""
    found = []
    for event in org.events:
        days = event.in_year(year)
        if days is not None:
            found.append((event_period(event, *days, tz), event))
    return found


async def event_report(
    sessions: async_sessionmaker[AsyncSession],
    deps: Deps,
    *,
    key: str,
    year: int | None,
    unit: str | None,
    today: date,
) -> ReportData:
    """``python -m bot report --event <key> [--year yyyy] [--unit ...]``."""
    from handlers.reports.report import build_report  # that module builds on this one

    words = f"dot {key} {year}" if year else f"dot {key}"
    period, event = parse_event(words, org=deps.org, today=today, tz=deps.tz)
    async with sessions() as session:
        return await build_report(session, deps=deps, period=period, unit=unit, event=event)


async def of_report_year(
    session: AsyncSession,
    deps: Deps,
    period: Period,
    unit: str | None,
    roots: Collection[str] | None,
    event: Event | None,
) -> list[ReportData]:
    """A year's report carries each of that year's events' (a sheet each in the workbook)."""
    from handlers.reports.report import build_report  # that module builds on this one

    if period.kind != "nam" or event is not None:
        return []
    found = []
    for event_period, each in of_year(deps.org, period.start.year, deps.tz):
        data = await build_report(
            session, deps=deps, period=event_period, unit=unit, roots=roots, event=each
        )
        found.append(data)
    return found
