"""A member's flow beside 50 anonymous feed readers: do the public pages starve the webhooks?

    python bench/web_load.py                       # SQLite, 20 members, 50 readers
    python bench/web_load.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/bench_web

One real ``python -m bot run`` worker by webhook (the approach of bench/flow.py: the fake Bot
API server of the tests POSTs each update to the worker's webhook; latency is from that hand-
over to the answer), its archive on the same server and database pool. The store is seeded
(``seed-demo``, texts frozen as publication freezes them). Members run the raw-information
flow twice: alone, then with ``--readers`` clients in another process fetching the feed and
the first pages as fast as they are answered. Prints both latencies and their ratio (aim: the
p50 and p99 with readers within 1.5× of alone) and how many pages the readers got.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.flow import STEPS, Driver  # noqa: E402
from tests.cluster import Cluster  # noqa: E402
from tests.platforms.telegram.fake_telegram import FakeTelegram  # noqa: E402

ADDRESSES = ["feed.atom", "", "?trang=2", "?loai=tin_tot", "feed.atom?loai=cau_chuyen_dep"]


async def readers(base: str, count: int, seconds: float) -> None:
    """``count`` clients fetching pages one after another; prints pages fetched and failures."""
    done, failed = [0], [0]
    stop = time.perf_counter() + seconds

    async def one(n: int) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            while time.perf_counter() < stop:
                address = ADDRESSES[(n + done[0]) % len(ADDRESSES)]
                try:
                    async with http.get(base + address) as response:
                        await response.read()
                        done[0] += 1
                        failed[0] += response.status >= 500
                except (aiohttp.ClientError, TimeoutError):
                    failed[0] += 1

    async def report() -> None:  # the parent stops this process at any moment
        while time.perf_counter() < stop:
            print(f"{done[0]} {failed[0]}", flush=True)
            await asyncio.sleep(0.5)

    await asyncio.gather(report(), *(one(n) for n in range(count)))


def seed(db_url: str, submissions: int) -> None:
    env = {**os.environ, "DATABASE_URL": db_url}
    subprocess.run(
        [sys.executable, "-m", "bot", "seed-demo", "--submissions", str(submissions)],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run([sys.executable, "bench/web_load.py", "--freeze", db_url], cwd=ROOT, check=True)


async def freeze(db_url: str) -> None:
    """Freeze the seeded items' texts as publishing does (``archived.refresh``)."""
    from sqlmodel import select

    from bot.serve.compose import build
    from bot.settings import Settings
    from handlers.desk import archived
    from storage.models import Status, Submission

    app = await build(Settings(_env_file=None, database_url=db_url))
    try:
        async with app.sessions() as session, session.begin():
            query = select(Submission).where(Submission.status == Status.PUBLISHED)
            for sub in (await session.exec(query)).all():
                await archived.refresh(session, sub, app.core.deps)
    finally:
        await app.close()


async def flow(driver: Driver, first: int, members: int) -> list[float]:
    start = len(driver.latencies)
    await asyncio.gather(*(driver.member(first + n) for n in range(members)))
    return driver.latencies[start:]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main(db_url: str, members: int, count: int, submissions: int) -> None:
    seed(db_url, submissions)
    fake = FakeTelegram()
    await fake.start()
    # No pacing of replies (1 s per chat in production): the handling itself is measured.
    cluster = Cluster(db_url, fake, 1, LOG_LEVEL="ERROR", TELEGRAM_CHAT_PACE="0")
    try:
        await cluster.start()
        base = f"http://127.0.0.1:{cluster.ports[0]}/"
        driver = Driver(fake, bare=False)
        await flow(driver, 50_000, 3)  # warm up: imports, caches, connections
        alone = await flow(driver, 10_000, members)
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "bench/web_load.py", "--read", base, str(count), "600",
            cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        await asyncio.sleep(2)  # the readers are at it
        busy = await flow(driver, 20_000, members)
        process.terminate()
        out, _ = await process.communicate()
        seconds = time.perf_counter() - started
    finally:
        await cluster.stop()
        await fake.stop()
    lines = out.decode().split("\n")
    served = [line.split() for line in lines if line.strip()][-1:] or [["0", "0"]]
    got, failed = (int(n) for n in served[0])
    pages = f"{got / seconds:.0f} pages/s, {failed} failed or 503"
    print(f"{members} members × {len(STEPS)} updates; {count} feed readers ({pages}); "
          f"{os.cpu_count()} CPUs shared by the bot, the readers and the fake server")  # fmt: skip
    print(f"{'':<22}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    for name, values in (("flow alone", alone), (f"flow + {count} readers", busy)):
        mean = statistics.mean(values) * 1000
        print(f"{name:<22}{pct(values, 0.5):>9.1f}{pct(values, 0.99):>9.1f}{mean:>9.1f}")
    print(
        f"ratio with readers / alone: p50 {pct(busy, 0.5) / pct(alone, 0.5):.2f}×, "
        f"p99 {pct(busy, 0.99) / pct(alone, 0.99):.2f}× (aim ≤ 1.5×)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--read"]:
        asyncio.run(readers(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    elif sys.argv[1:2] == ["--freeze"]:
        asyncio.run(freeze(sys.argv[2]))
    else:
        parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        parser.add_argument("--db", help="a database URL (default: a fresh SQLite file)")
        parser.add_argument("--members", type=int, default=20)
        parser.add_argument("--readers", type=int, default=50)
        parser.add_argument("--submissions", type=int, default=2000)
        args = parser.parse_args()
        with tempfile.TemporaryDirectory() as folder:
            url = args.db or f"sqlite+aiosqlite:///{folder}/bench.db"
            asyncio.run(main(url, args.members, args.readers, args.submissions))
