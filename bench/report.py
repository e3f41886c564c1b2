"""How much a full /report costs on top of the SQL it is built on.

    python bench/report.py                       # SQLite, 1,000,000 submissions (seeded once)
    python bench/report.py --db postgresql+asyncpg://user@127.0.0.1/tintot_bench
    python bench/report.py --submissions 100000  # a quicker look

Seeds (once; kept under bench/.data for SQLite) 1,000,000 submissions across 500 units over
three years, then times, side by side in one run, alternating: the bare SQL aggregates the
report reads (the floor), and the full yearly report (those queries, assembling the figures,
the summary text, the xlsx workbook and the PNG chart). Prints the medians and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func
from sqlmodel import select

from bot.cli.seed_demo import seed_demo
from handlers.engine.context import Deps
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.org import load_org
from handlers.reports.periods import midnight_utc, parse_period
from handlers.reports.report import build_report
from handlers.reports.report_files import chart, workbook
from storage import reports
from storage.db import make_engine, make_sessions, migrate
from storage.models import Submission

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END = date(2026, 11, 23)  # fixed, so the seeded data and the year measured stay the same


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--db", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = (
        args.db
        or f"sqlite+aiosqlite:///{ROOT / 'bench' / '.data' / f'report-{args.submissions}.db'}"
    )
    org = load_org(ROOT / "config" / "org.example.toml")
    deps = Deps(org=org, tz=TZ)
    engine = make_engine(url)
    await migrate(engine)
    sessions = make_sessions(engine)
    async with sessions() as session:
        have = int((await session.exec(select(func.count()).select_from(Submission))).one())
    if have < args.submissions:
        started = time.perf_counter()
        await seed_demo(
            sessions,
            org=org,
            tz=TZ,
            submissions=args.submissions - have,
            units=500,
            days=3 * 365,
            end=END,
            now=datetime.combine(END, clock_time(12), UTC),
        )
        took = time.perf_counter() - started
        print(f"seeded {args.submissions - have:,} submissions in {took:.0f} s")
    period, _ = parse_period("nam 2025", today=END, tz=TZ)
    window = reports.Window(start=period.start_utc, end=period.end_utc, units=None)
    monday = period.start - timedelta(days=period.start.weekday())

    async def bare() -> None:
        async with sessions() as session:
            await reports.all_units(session)
            await reports.submitted(session, **window)
            await reports.decided(session, **window)
            await reports.published(session, **window)
            await reports.waiting(session, end=period.end_utc, units=None)
            await reports.published_weeks(session, origin=midnight_utc(monday, TZ), **window)
            await reports.target_days(session, **window)
            await reports.median_hours_to_decision(session, **window)
            await reports.top_members(session, **window)

    async def full() -> None:
        async with sessions() as session:
            data = await build_report(session, deps=deps, period=period, unit=None)
        render(Say("report/summary.j2", {"data": data, "tz": TZ}), "html")
        workbook(data)
        chart(data)

    timings: dict[str, list[float]] = {"bare SQL aggregates": [], "full report": []}
    for run in range(args.repeat + 1):  # the first round warms caches and is not counted
        for name, job in (("bare SQL aggregates", bare), ("full report", full)):
            started = time.perf_counter()
            await job()
            if run:
                timings[name].append(time.perf_counter() - started)
    await engine.dispose()
    medians = {name: statistics.median(values) for name, values in timings.items()}
    backend = url.split("+", 1)[0]
    print(f"\n/report nam 2025 on {backend}, {args.submissions:,} submissions, 500 units, 3 years")
    print(f"{'':24} {'median s':>10} {'min s':>8}")
    for name, values in timings.items():
        print(f"{name:24} {medians[name]:10.3f} {min(values):8.3f}")
    ratio = medians["full report"] / medians["bare SQL aggregates"]
    print(f"ratio full report / bare aggregates: {ratio:.2f} (aim: under 1.5)")


if __name__ == "__main__":
    asyncio.run(main())
