"""Issue 24's figures of a report, beside ``build_report``'s own: each unit's participation
(members who sent something, against its headcount), every member's tally, and the scope of a
secretary's or an event's report (several subtrees at once)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.org_dates import Event
from handlers.reports.periods import UnitNotFound, tree
from handlers.reports.report_data import EventInfo, MemberTally, Participation, UnitRow
from storage import reports, unit_figures
from storage.models import Unit


def subtree(units: Sequence[Unit], code: str) -> set[str]:
    return {code} | {u.code for u, _ in tree(units, code, 1)}


def subtrees(units: Sequence[Unit], codes: Collection[str]) -> set[str]:
    found: set[str] = set()
    for code in codes:
        found |= subtree(units, code)
    return found


def tops(units: Sequence[Unit], codes: Collection[str]) -> list[Unit]:
    """The units of ``codes`` whose parent is not among them, in the file's order: the roots
    of a scope made of several subtrees."""
    return [u for u in units if u.code in codes and u.parent_code not in codes]


def headcount(deps: Deps, unit: Unit) -> int | None:
    """An admin's figure (/donvi sodoanvien) before the organisation file's."""
    if unit.members is not None:
        return unit.members
    found = deps.org.unit(unit.code)
    return found.members if found is not None else None


async def extras(
    session: AsyncSession,
    deps: Deps,
    *,
    units: Sequence[Unit],
    rows: Sequence[UnitRow],
    window: reports.Window,
    origin: datetime,
) -> dict[str, Any]:
    """ReportData's participation and member_tally."""
    sent = dict(await unit_figures.senders(session, **window))
    by_code = {u.code: u for u in units}
    participation = []
    for row in rows:
        members = headcount(deps, by_code[row.code]) if row.code in by_code else None
        senders = sent.get(row.code, 0)
        share = senders / members if members else None
        participation.append(Participation(row.code, row.name, row.depth, senders, members, share))
    names = {u.code: u.name for u in units}
    erased = render(Say("report/erased_member.j2", {}), "plain").strip()
    tally = [
        MemberTally(
            erased
            if member.erased_at
            else (member.display_name or member.username or member.platform_user_id),
            names.get(member.unit_code or "", ""),
            t.submitted,
            t.published.get("tin_tot", 0),
            t.published.get("cau_chuyen_dep", 0),
            t.weeks,
            erased=member.erased_at is not None,
        )
        for member, t in await unit_figures.tallies(session, origin=origin, **window)
    ]
    tally.sort(
        key=lambda m: (
            -(m.published_tin_tot + m.published_cau_chuyen_dep),
            -m.submitted,
            m.erased,
            m.name,
        )
    )
    return {
        "participation": participation,
        "participation_aim": deps.org.reports.participation_aim_percent,
        "member_tally": tally,
    }


def scope_of(
    units: Sequence[Unit],
    root: Unit | None,
    roots: Collection[str] | None,
    event: Event | None,
) -> tuple[list[tuple[Unit, int]], set[str] | None]:
    """The report's units in tree order (with depths) and their codes (None: every unit, and
    members without one): the asked unit's subtree, within a secretary's subtrees (``roots``)
    and an event's units."""
    allowed: set[str] | None = None
    for codes in (roots, event.units if event and event.units else None):
        if codes is not None:
            found = subtrees(units, codes)
            allowed = found if allowed is None else allowed & found
    if root is not None:
        found = subtree(units, root.code)
        allowed = found if allowed is None else allowed & found
        if not allowed:
            raise UnitNotFound(root.name, [])
    if allowed is None:
        return list(tree(units, None, 0)), None
    order: list[tuple[Unit, int]] = []
    for top in tops(units, allowed):
        order.append((top, 0))
        order += [(u, d) for u, d in tree(units, top.code, 1) if u.code in allowed]
    return order, allowed


def filter_name(units: Sequence[Unit], root: Unit | None, scope: set[str] | None) -> str | None:
    if root is not None:
        return root.name
    if scope is None:
        return None
    return ", ".join(u.name for u in tops(units, scope))


def event_info(event: Event | None, units: Sequence[Unit]) -> EventInfo | None:
    if event is None:
        return None
    names = {u.code: u.name for u in units}
    return EventInfo(event.key, event.title, [names.get(c, c) for c in event.units], event.hashtag)
