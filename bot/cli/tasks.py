"""Commands for the server's shell (cron or by hand): seed-demo, export, report, forget."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.outputs import refusal
from bot.cli.seed_demo import seed_demo
from bot.runtime.app import App
from bot.serve.compose import build
from bot.settings import Settings
from handlers.engine import numbers
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.privacy.erasure import forget
from handlers.reports.events import EventUnknown, event_report
from handlers.reports.periods import PeriodError, UnitNotFound, parse_period
from handlers.reports.report import build_report
from storage import rights
from storage.models import Member


def add_arguments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seed = commands.add_parser("seed-demo", help="fill the database with realistic demo data")
    seed.add_argument("--submissions", type=int, default=1000)
    seed.add_argument("--units", type=int, default=20)
    seed.add_argument("--days", type=int, default=90)
    seed.add_argument("--seed", type=int, default=1)
    archive = commands.add_parser("export", help="every published item, for the archive")
    archive.add_argument("--format", choices=["csv", "xlsx", "json"], default="xlsx")
    archive.add_argument("--from", dest="start", type=day, default=None)
    archive.add_argument("--to", dest="end", type=day, default=None)
    archive.add_argument("--out", type=Path, required=True)
    archive.add_argument("--force", action="store_true", help="replace an existing --out file")
    report = commands.add_parser("report", help="a period's report, as in chat, to files")
    report.add_argument(
        "--period", default="thang", help="tuan, thang, quy, 6thang, nam, or e.g. 'quy 3/2026'"
    )
    report.add_argument("--month", type=month, help="with --period thang: 2026-10")
    report.add_argument("--year", type=int, help="with --period nam, quy or 6thang")
    report.add_argument("--unit", help="one unit (code or name) and the units below it")
    report.add_argument("--event", help="an event's key ([[events]]): its report (with --year)")
    report.add_argument("--xlsx", type=Path)
    report.add_argument("--png", type=Path)
    report.add_argument("--force", action="store_true", help="replace existing files")
    commands.add_parser("count-pages", help="read the units' own pages now (posts, followers)")
    erase = commands.add_parser("forget", help="erase a member's personal data (on request)")
    erase.add_argument(
        "--member", required=True, help="<platform>:<id> as in ADMIN_IDS, or a member number #5"
    )


def day(text: str) -> date:
    """2026-10-31 or 31/10/2026."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(_line("cli/bad_value.j2", what="day", value=text))


def month(text: str) -> str:
    """2026-10 (ASCII digits, a real month): kept as text for period_words."""
    year, _, number = text.partition("-")
    value = numbers.number(number)
    if numbers.number(year) is None or len(year) != 4 or value is None or not 1 <= value <= 12:
        raise argparse.ArgumentTypeError(_line("cli/bad_value.j2", what="month", value=text))
    return text


def _line(template: str, **context: object) -> str:
    return render(Say(template, context), "plain")


async def run_task(args: argparse.Namespace, settings: Settings) -> int:
    if refused := refusal(args, settings.database_url):
        why, path = refused
        print(_line("cli/refused.j2", why=why, path=path), file=sys.stderr)
        return 2
    app = await build(settings, task=args.command != "seed-demo")
    try:
        deps = app.core.deps
        if args.command == "seed-demo":
            counts = await seed_demo(
                app.sessions,
                org=app.org,
                tz=deps.tz,
                submissions=args.submissions,
                units=args.units,
                days=args.days,
                seed=args.seed,
                end=deps.clock().astimezone(deps.tz).date(),
                now=deps.clock(),
                targets=list(deps.targets) or None,
            )
            print(render(Say("cli/seeded.j2", {"counts": counts}), "plain"))
        elif args.command == "report":
            return await write_report(app, args)
        elif args.command == "forget":
            return await forget_member(app, args.member)
        elif args.command == "count-pages":
            from bot.cli import count_pages

            return await count_pages.run(app)
        else:
            from bot.cli.export import export  # openpyxl: loaded by this command only

            rows = await export(
                app.sessions,
                tz=deps.tz,
                org=app.org,
                fmt=args.format,
                start=args.start,
                end=args.end,
                out=args.out,
            )
            print(render(Say("cli/exported.j2", {"rows": rows, "path": str(args.out)}), "plain"))
        return 0
    finally:
        await app.close()


def period_words(args: argparse.Namespace) -> str:
    """--period thang --month 2026-10 → "thang 10/2026", as a secretary would type it."""
    words = args.period
    if args.month:
        year, _, number = args.month.partition("-")  # checked by month()
        words = f"thang {int(number)}/{year}"
    elif args.year and words.strip() == "nam":
        words = f"nam {args.year}"
    return f"{words} donvi {args.unit}" if args.unit else words


async def write_report(app: App, args: argparse.Namespace) -> int:
    deps = app.core.deps
    today = deps.clock().astimezone(deps.tz).date()
    try:
        if args.event:
            data = await event_report(
                app.sessions, deps, key=args.event, year=args.year, unit=args.unit, today=today
            )
        else:
            period, unit = parse_period(period_words(args), today=today, tz=deps.tz)
            async with app.sessions() as session:
                data = await build_report(session, deps=deps, period=period, unit=unit)
    except EventUnknown as error:
        say = Say("report/event_unknown.j2", {"words": error.words, "keys": error.keys})
        print(render(say, "plain"), file=sys.stderr)
        return 2
    except (PeriodError, UnitNotFound):
        print(
            render(
                Say(
                    "report/usage.j2",
                    {"words": period_words(args), "unit_words": None, "candidates": []},
                ),
                "plain",
            ),
            file=sys.stderr,
        )
        return 2
    print(render(Say("report/summary.j2", {"data": data, "tz": deps.tz}), "plain"))
    # openpyxl and matplotlib: loaded by the files asked for only (as handlers/reports/report.py).
    from handlers.reports.report_files import chart, workbook

    if args.xlsx:
        args.xlsx.write_bytes(workbook(data))
    if args.png:
        args.png.write_bytes(chart(data))
    return 0


async def forget_member(app: App, spec: str) -> int:
    """Erase one member as /xoadulieu does, for a request that reached an admin another way."""
    async with app.sessions() as session, session.begin():
        member = await _member(session, spec.strip())
        if member is None:
            said = {"spec": spec, "chats": app.core.deps.chat_platforms}
            print(render(Say("cli/member_unknown.j2", said), "plain"), file=sys.stderr)
            return 2
        context: dict[str, object] = {"member_id": member.id, "account": spec.strip()}
        if member.erased_at is not None:
            context["already"] = True
        else:
            erased, withdrawn = await forget(session, member, app.core.deps, actor="cli")
            context |= {"erased": erased, "withdrawn": withdrawn, "already": False}
    print(render(Say("cli/forgotten.j2", context), "plain"))
    return 0


async def _member(session: AsyncSession, spec: str) -> Member | None:
    """``<platform>:<id>``, or a member number (``#5`` or ``5``)."""
    if (number := numbers.number(spec)) is not None:
        return await session.get(Member, number)
    platform, _, user_id = spec.partition(":")
    if not user_id:
        return None
    return await rights.account(session, platform=platform.strip().lower(), user_id=user_id.strip())
