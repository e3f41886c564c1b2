"""What /quantri shows, as plain data: this week's cadence per unit (as a tree), the month's
figures and each target's days, the review queue. Every count comes from /report's own
``build_report`` over this week and this month, so the board and /report never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.reports.periods import make_period
from handlers.reports.report import build_report
from handlers.reports.report_data import ReportData, UnitRow
from storage import board, contacts, pages, review

State = Literal["published", "pending", "nothing"]


@dataclass
class UnitCell:
    row: UnitRow  # this week's figures
    state: State
    last: date | None  # the unit's latest publication, any week
    contacts: list[str]
    children: list[UnitCell] = field(default_factory=list)


@dataclass(frozen=True)
class TargetDays:
    target: str
    days: list[bool]  # one per day of the month so far
    unit: str = ""  # a unit's own page: its name


@dataclass(frozen=True)
class Waiting:
    id: int
    kind: str
    unit: str
    hours: int


@dataclass(frozen=True)
class Direct:
    """A post a unit made on its own page itself this month (counted, never archived)."""

    unit: str
    kind: str
    at: datetime  # local
    link: str | None
    target: str  # "facebook:<page id>"


@dataclass(frozen=True)
class BoardData:
    now: datetime  # local
    week: ReportData
    month: ReportData
    tree: list[UnitCell]
    counts: dict[State, int]
    targets: list[TargetDays]
    queue: list[Waiting]
    direct: list[Direct] = field(default_factory=list)


def state_of(row: UnitRow) -> State:
    # A post the unit made on its own page itself covers its week as well.
    return "published" if row.published or row.direct else "pending" if row.waiting else "nothing"


async def load(
    session: AsyncSession, deps: Deps, *, roots: Sequence[str] | None = None
) -> BoardData:
    """``roots``: a secretary's units, whose subtrees alone the board shows (None: all)."""
    now = deps.clock().astimezone(deps.tz)
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    week = make_period("tuan", monday, monday + timedelta(days=6), deps.tz)
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    month = make_period("thang", first, following - timedelta(days=1), deps.tz)
    week_data = await build_report(session, deps=deps, period=week, unit=None, roots=roots)
    month_data = await build_report(session, deps=deps, period=month, unit=None, roots=roots)
    last = await board.last_published(session)
    people = await contacts.every(session)
    cells = [
        UnitCell(
            row,
            state_of(row),
            last[row.code].astimezone(deps.tz).date() if row.code in last else None,
            people.get(row.code, []),
        )
        for row in week_data.units
    ]
    shown = {u.code for u in month_data.units}
    counts: dict[State, int] = {"published": 0, "pending": 0, "nothing": 0}
    for cell in cells:
        counts[cell.state] += 1
    return BoardData(
        now=now,
        week=week_data,
        month=month_data,
        tree=_tree(cells),
        counts=counts,
        targets=await _targets(session, deps, month.start_utc, today),
        queue=await _queue(
            session, deps, now, {u.code: u.name for u in week_data.units}, roots is not None
        ),
        direct=[
            Direct(
                next((u.name for u in month_data.units if u.code == row.unit_code), row.unit_code),
                row.kind,
                row.posted_at.astimezone(deps.tz),
                row.link,
                f"{row.platform}:{row.target}",
            )
            for row in await pages.listed(session, start=month.start_utc, end=month.end_utc)
            if row.unit_code in shown  # a secretary's board: their subtrees' posts only
        ],
    )


def _tree(cells: list[UnitCell]) -> list[UnitCell]:
    """Rows come parents first, with depths: a stack of the open ancestors rebuilds the tree."""
    roots: list[UnitCell] = []
    stack: list[UnitCell] = []
    for cell in cells:
        del stack[cell.row.depth :]
        (stack[-1].children if stack else roots).append(cell)
        stack.append(cell)
    return roots


async def _targets(
    session: AsyncSession, deps: Deps, start: datetime, today: date
) -> list[TargetDays]:
    seen: dict[str, set[int]] = {f"{p}:{c}": set() for p, c in deps.targets}
    owners = {f"{p}:{c}": deps.org.unit_name(code) for code, p, c in reversed(deps.pages)}
    for name in owners:  # each unit's own pages, even before their first post
        seen.setdefault(name, set())
    end = start + timedelta(days=today.day)
    for platform, chat, at in await board.posts_sent(session, start=start, end=end):
        seen.setdefault(f"{platform}:{chat}", set()).add(at.astimezone(deps.tz).day)
    return [
        TargetDays(
            name,
            [day in days for day in range(1, today.day + 1)],
            owners.get(name, ""),
        )
        for name, days in seen.items()
    ]


async def _queue(
    session: AsyncSession, deps: Deps, now: datetime, names: dict[str, str], scoped: bool
) -> list[Waiting]:
    return [
        Waiting(
            sub.id or 0,
            sub.kind,
            names.get(sub.unit_code or "", sub.unit_code or ""),
            int((now - (sub.submitted_at or now)).total_seconds() // 3600),
        )
        for sub in await review.waiting(session, limit=50)
        if not scoped or (sub.unit_code or "") in names  # a secretary sees their units' own
    ]
