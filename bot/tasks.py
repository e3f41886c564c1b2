"""Commands for the server's shell (cron or by hand): seed-demo, export, report."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from bot.app import build
from bot.export import export
from bot.seed_demo import seed_demo
from bot.settings import Settings
from handlers.texts import render
from handlers.types import Say


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


def day(text: str) -> date:
    """2026-10-31 or 31/10/2026."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(text)


async def run_task(args: argparse.Namespace, settings: Settings) -> int:
    app = await build(settings)
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
                end=datetime.now(UTC).astimezone(deps.tz).date(),
                targets=list(deps.targets) or None,
            )
            print(render(Say("cli/seeded.j2", {"counts": counts}), "plain"))
        else:
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
