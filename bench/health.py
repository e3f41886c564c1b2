"""What an uptime monitor's and Prometheus' polls cost on a full database.

    python -m bot seed-demo --submissions 100000          # once, into DATABASE_URL
    python bench/health.py --db sqlite+aiosqlite:///data/tintot.db
    python bench/health.py --db postgresql+asyncpg://user@127.0.0.1/tintot_bench

Serves the real web application on 127.0.0.1 and times, alternating over several rounds,
``GET /healthz`` (one ``SELECT``), ``GET /metrics`` (its grouped queries over the inbox, the
outbox and the month's usage) and, for scale, the archive's first page. Prints the medians and
the ratios to /healthz: a scrape every 15 s must stay a small fraction of one core.
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
from storage.models import Outbox

ROUNDS = 9
PER_ROUND = 20
TOKEN = "bench-metrics-token-0123456789"


async def main(url: str, rounds: int) -> None:
    app = await build(Settings(_env_file=None, database_url=url, metrics_token=TOKEN), task=True)
    async with app.sessions() as session:
        rows = (await session.exec(select(func.count()).select_from(Outbox))).one()
    runner, base = await server.start(server.make_web(app), "127.0.0.1", 0)
    paths = {"/healthz": {}, "/metrics": {"Authorization": f"Bearer {TOKEN}"}, "/": {}}
    timings: dict[str, list[float]] = {path: [] for path in paths}
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(rounds):
                for path, headers in paths.items():
                    started = time.perf_counter()
                    for _ in range(PER_ROUND):
                        async with http.get(base.rstrip("/") + path, headers=headers) as answer:
                            assert answer.status == 200, (path, answer.status)
                            await answer.read()
                    timings[path].append((time.perf_counter() - started) / PER_ROUND)
    finally:
        await runner.cleanup()
        await app.close()
    medians = {path: statistics.median(values) for path, values in timings.items()}
    print(f"{url.split(':', 1)[0]}, {rows} outbox rows, median of {rounds} rounds:")
    for path, median in medians.items():
        ratio = median / medians["/healthz"]
        print(f"  {path:10} {median * 1000:8.2f} ms   x{ratio:5.1f} /healthz")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    asyncio.run(main(args.db, args.rounds))
