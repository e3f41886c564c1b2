"""Units' pages in a report: each page's followers now, at the period's start and at the
year's start, from the daily readings (``PageReading``, one a day per page at most), and
whether the year's growth reached the organisation's aim (``[reports]
followers_growth_percent``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.reports.report_data import PageFigures, Period
from storage import pages
from storage.models import PageReading


def _growth(now: int | None, then: int | None) -> float | None:
    if now is None or not then:
        return None
    return round((now - then) * 100.0 / then, 1)


def _first_from(rows: list[PageReading], day: date) -> int | None:
    return next((r.followers for r in rows if r.day >= day.isoformat()), None)


async def figures(
    session: AsyncSession,
    *,
    period: Period,
    aim: float,
    units: Collection[str] | None,
    names: dict[str, str],
) -> list[PageFigures]:
    year_start = period.end.replace(month=1, day=1)
    first = min(year_start, period.start).isoformat()
    readings = await pages.readings(session, first_day=first, last_day=period.end.isoformat())
    by_page: dict[tuple[str, str], list[PageReading]] = {}
    for row in readings:
        if units is None or row.unit_code in units:
            by_page.setdefault((row.platform, row.target), []).append(row)
    found = []
    for (platform, target), rows in by_page.items():
        known = [r for r in rows if r.followers is not None]
        if not known:
            continue
        now = known[-1].followers
        at_start, at_year = _first_from(known, period.start), _first_from(known, year_start)
        year = _growth(now, at_year)
        found.append(
            PageFigures(
                unit=names.get(rows[-1].unit_code, rows[-1].unit_code),
                target=f"{platform}:{target}",
                now=now,
                at_start=at_start,
                at_year_start=at_year,
                period_percent=_growth(now, at_start),
                year_percent=year,
                reached=year is not None and year >= aim,
            )
        )
    return sorted(found, key=lambda page: (page.unit, page.target))
