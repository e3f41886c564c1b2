"""/report for admins (and editors when the organisation file allows): the figures of a period
for the whole organisation or one unit with the units below it.

``/report`` alone is this month; see ``handlers.reports.periods`` for the words it reads.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Ctx, Deps
from handlers.engine.roles import REFUSALS
from handlers.engine.router import Router
from handlers.engine.types import FileOut, Reply, Say
from handlers.org_dates import Event
from handlers.reports import events, page_figures, secretary, unit_figures
from handlers.reports.periods import (
    PeriodError,
    UnitNotFound,
    find_unit,
    midnight_utc,
    parse_period,
)
from handlers.reports.report_data import Period, Ranked, ReportData, TargetCadence, UnitRow
from storage import pages, reports, usage
from storage.models import Unit

Attachments = Callable[[ReportData], Awaitable[tuple[FileOut, ...]]]
TREE_FIGURES = ("submitted", "approved", "published", "rejected", "waiting")
FIGURES = (*TREE_FIGURES, "tin_tot", "cau_chuyen_dep")
TOTALS = (*FIGURES, "published_tin_tot", "published_cau_chuyen_dep", "taken_down", "direct")


async def build_report(
    session: AsyncSession,
    *,
    deps: Deps,
    period: Period,
    unit: str | None,
    roots: Collection[str] | None = None,
    event: Event | None = None,
) -> ReportData:
    """``roots``: the subtrees a secretary may see (None: all); ``event``: an event's report."""
    units = await reports.all_units(session)
    root = find_unit(units, unit) if unit is not None else None
    order, scope = unit_figures.scope_of(units, root, roots, event)
    window = reports.Window(
        start=period.start_utc,
        end=period.end_utc,
        units=reports.InEvent(event.key, scope) if event else scope,
    )
    monday = period.start - timedelta(days=period.start.weekday())
    weeks, days = (period.end - monday).days // 7 + 1, (period.end - period.start).days + 1

    own: defaultdict[str | None, Counter[str]] = defaultdict(Counter)
    themes: Counter[str] = Counter()
    for code, kind, theme, n in await reports.submitted(session, **window):
        own[code].update({"submitted": n, kind: n})
        # Under the calendar's titles; a key no longer in the file falls to the default theme.
        themes[deps.org.theme(theme).title] += n
    for code, status, n in await reports.decided(session, **window):
        own[code]["rejected" if status == "rejected" else "approved"] += n
    for code, kind, n in await reports.published(session, **window):
        own[code].update({"published": n, f"published_{kind}": n})
    for code, n in await reports.taken_down(session, **window):
        own[code]["taken_down"] += n  # still counted as published
    for code, n in await reports.waiting(session, end=period.end_utc, units=scope):
        own[code]["waiting"] += n
    week_sets: defaultdict[str | None, set[int]] = defaultdict(set)
    origin = midnight_utc(monday, deps.tz)
    for code, week in await reports.published_weeks(session, origin=origin, **window):
        week_sets[code].add(week)
    # What units posted on their own pages themselves covers its weeks too.
    for code, n in await pages.counts(session, **window):
        own[code]["direct"] += n
    for code, week in await pages.weeks(session, origin=origin, **window):
        week_sets[code].add(week)

    # Each unit's figures summed up the tree: children come after their parent in ``order``.
    total = {u.code: Counter(own[u.code]) for u, _ in order}
    tree_weeks = {u.code: set(week_sets[u.code]) for u, _ in order}
    for u, _ in reversed(order):
        if u.parent_code in total and u is not root:
            total[u.parent_code] += total[u.code]
            tree_weeks[u.parent_code] |= tree_weeks[u.code]
    rows = [
        UnitRow(
            code=u.code,
            name=u.name,
            parent=u.parent_code,
            depth=depth,
            **{name: own[u.code][name] for name in FIGURES},
            weeks_with_post=len(week_sets[u.code]),
            weeks=weeks,
            **{f"total_{name}": total[u.code][name] for name in TREE_FIGURES},
            total_weeks_with_post=len(tree_weeks[u.code]),
            direct=own[u.code]["direct"],
            total_direct=total[u.code]["direct"],
        )
        for u, depth in order
        if u.active or +total[u.code]  # a unit gone from the file shows while it has figures
    ]
    return ReportData(
        org_name=deps.org.name,
        period=period,
        unit_filter=unit_figures.filter_name(units, root, scope),
        generated_at=deps.clock(),
        units=rows,
        units_without_post=[
            row.name for row in rows if not row.total_published and not row.total_direct
        ],
        targets=await _targets(session, deps, window, days),
        median_hours_to_decision=await reports.median_hours_to_decision(session, **window),
        top_members=await _top_members(session, units, window),
        top_units=[
            Ranked(row.name, "", row.published, row.submitted)
            for row in sorted(rows, key=lambda r: (-r.published, -r.submitted))
            if row.published
        ][:5],
        themes=themes.most_common(),
        totals={name: sum(c[name] for c in own.values()) for name in TOTALS},
        weeks=weeks,
        days=days,
        **await _messages(session, deps),
        pages=await page_figures.figures(
            session,
            period=period,
            aim=deps.org.reports.followers_growth_percent,
            units=scope,
            names={u.code: u.name for u in units},
        ),
        followers_aim=deps.org.reports.followers_growth_percent,
        **await unit_figures.extras(
            session, deps, units=units, rows=rows, window=window, origin=origin
        ),
        event=unit_figures.event_info(event, units),
        event_reports=await events.of_report_year(session, deps, period, unit, roots, event),
    )


async def _messages(session: AsyncSession, deps: Deps) -> dict[str, Any]:
    month = usage.month_of(deps.clock(), deps.tz)
    rows = await usage.of_month(session, month=month)
    return {"messages_month": month, "messages": [(row.platform, row.sent) for row in rows]}


async def _targets(
    session: AsyncSession, deps: Deps, window: reports.Window, days: int
) -> list[TargetCadence]:
    """The configured targets (even those with no post) and any others that had posts."""
    found = {f"{p}:{c}": n for p, c, n in await reports.target_days(session, **window)}
    names = [f"{p}:{c}" for p, c in deps.targets]
    owners = {f"{p}:{c}": deps.org.unit_name(code) for code, p, c in reversed(deps.pages)}
    names += [name for name in owners if name not in names]  # each unit's own pages
    names += sorted(set(found) - set(names))
    return [TargetCadence(name, found.get(name, 0), days, owners.get(name, "")) for name in names]


async def _top_members(
    session: AsyncSession, units: Sequence[Unit], window: reports.Window
) -> list[Ranked]:
    names = {u.code: u.name for u in units}
    return [
        Ranked(
            member.display_name or member.username or member.platform_user_id,
            names.get(member.unit_code or "", ""),
            published,
            submitted,
        )
        for member, published, submitted in await reports.top_members(session, **window)
    ]


async def report_files(data: ReportData) -> tuple[FileOut, ...]:
    """The workbook and the chart. Imported on first use: openpyxl and matplotlib load only
    once someone asks for a report."""
    from handlers.reports.report_files import attachments_async

    return await attachments_async(data)


async def scheduled(session: AsyncSession, words: str, deps: Deps) -> Reply:
    """A report sent by itself (the monthly one), built when the outbox sends it."""
    today = deps.clock().astimezone(deps.tz).date()
    period, unit = parse_period(words, today=today, tz=deps.tz)
    data = await build_report(session, deps=deps, period=period, unit=unit)
    say = Say("report/summary.j2", {"data": data, "tz": deps.tz, "scheduled": True})
    return Reply(say, files=await report_files(data))


async def _asked(ctx: Ctx, args: str, roots: list[str] | None) -> ReportData:
    """The report the words ask for: a period (of a unit) or an event (``dot <key>``)."""
    deps = ctx.deps
    if events.wants_event(args):
        period, event = events.parse_event(args, org=deps.org, today=ctx.today, tz=deps.tz)
        return await build_report(
            ctx.session, deps=deps, period=period, unit=None, roots=roots, event=event
        )
    period, unit = parse_period(args, today=ctx.today, tz=deps.tz)
    return await build_report(ctx.session, deps=deps, period=period, unit=unit, roots=roots)


def make_router(attachments: Attachments = report_files) -> Router:
    router = Router()

    @router.command("report")
    async def report(ctx: Ctx) -> None:
        allowed, roots = await secretary.report_scope(ctx)
        if not allowed:
            ctx.say(REFUSALS["admin"])
            return
        args = ctx.event.args.strip()
        try:
            data = await _asked(ctx, args, roots)
        except PeriodError:
            ctx.say("report/usage.j2", words=args, unit_words=None, candidates=[])
            return
        except UnitNotFound as error:
            ctx.say(
                "report/usage.j2", words=args, unit_words=error.words, candidates=error.candidates
            )
            return
        except events.EventUnknown as error:
            ctx.say("report/event_unknown.j2", words=error.words, keys=error.keys)
            return
        files = await attachments(data)  # the xlsx workbook and the PNG chart
        say = Say("report/summary.j2", {"data": data, "tz": ctx.deps.tz})
        ctx.replies.append(Reply(say, files=files))

    return router


router = make_router()
