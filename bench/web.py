"""How much the archive's pages cost on top of the SQL they are built on.

    python -m bot seed-demo --submissions 1000000          # once, into DATABASE_URL
    python bench/web.py --db sqlite+aiosqlite:///data/tintot.db
    python bench/web.py --db postgresql+asyncpg://user@127.0.0.1/tintot_bench

Serves the archive (the real aiohttp app) on 127.0.0.1 and times, side by side in one run,
alternating over several rounds: the bare query each page is built on (storage.archive's
listing or full-text search, in a fresh session) and the whole page fetched over HTTP
(query, each item's post rendered, photos and links read, HTML rendered). Prints the medians
and the ratio page / query for the first page, a filtered page and a search answer.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from sqlalchemy import func
from sqlmodel import select

from bot.serve.compose import build
from bot.settings import Settings
from bot.web import server
from bot.web.archive.routes import PER_PAGE
from handlers.engine.textnorm import fold
from storage import archive, units
from storage.models import Submission, Unit

ROUNDS = 9


async def main(url: str, rounds: int) -> None:
    app = await build(Settings(_env_file=None, database_url=url))  # migrates: 0011 indexes
    runner, base = await server.start(server.make_web(app), "127.0.0.1", 0)
    try:
        async with app.sessions() as session:
            total = (await session.exec(select(func.count()).select_from(Submission))).one()
            # A unit with units below it: the filter takes the whole subtree.
            parent = (
                await session.exec(select(Unit.parent_code).where(Unit.parent_code.is_not(None)))  # type: ignore[union-attr]
            ).first()
            every = {u.code: u for u in await units.every(session)}
        below = frozenset(c for c, u in every.items() if c == parent or u.parent_code == parent)
        words = "hien mau"
        cases = [
            ("first page", "", archive.Filters(), ""),
            (
                "unit + kind",
                f"?donvi={parent}&loai=tin_tot",
                archive.Filters(units=below, kind="tin_tot"),
                "",
            ),
            ("search", "?q=hi%E1%BA%BFn+m%C3%A1u", archive.Filters(), fold(words)),
        ]
        timeout = aiohttp.ClientTimeout(total=120)
        print(f"{url.split('://')[0]}, {total:,} submissions, {rounds} rounds (medians)")
        print("| page | bare query (ms) | page over HTTP (ms) | ratio |")
        print("| --- | ---: | ---: | ---: |")
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for name, query, filters, folded in cases:
                bare, page = [], []
                for _ in range(rounds):
                    started = time.perf_counter()
                    async with app.sessions() as session:
                        if folded:
                            await archive.search(
                                session, words=folded, filters=filters, limit=PER_PAGE + 1
                            )
                        else:
                            await archive.latest(session, filters=filters, limit=PER_PAGE + 1)
                    bare.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    async with http.get(base + query) as response:
                        await response.read()
                        assert response.status == 200
                    page.append(time.perf_counter() - started)
                b, p = statistics.median(bare) * 1000, statistics.median(page) * 1000
                print(f"| {name} | {b:.1f} | {p:.1f} | {p / b:.2f} |")
    finally:
        await runner.cleanup()
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the seeded database's SQLAlchemy URL")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    asyncio.run(main(args.db, args.rounds))
