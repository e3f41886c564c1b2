"""The CPU an idle bot spends, side by side with the bare aiogram bot of bench/flow.py: each
polls the fake Bot API server of the tests on 127.0.0.1 and nobody writes.

    python bench/idle.py [--seconds 30]

A bot on a small server is idle most of its life, and in bench/flow.py's paced burst (the
editor's chat takes one answer a second) the idle work is part of every update's CPU, A.
Prints each process's CPU (user + system, from /proc) per second of the wall clock, and the
ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flow import bare_env, cpu_seconds, polling_env, start_process, until_polling  # noqa: E402

from tests.cluster import Cluster  # noqa: E402
from tests.platforms.telegram.fake_telegram import FakeTelegram  # noqa: E402

SETTLE = 3.0  # seconds after the first getUpdates: the start's own work done


async def idle_cpu(seconds: float, *, bare: bool, folder: str) -> float:
    """CPU seconds per second of one idle bot, after it settled."""
    fake = FakeTelegram()
    await fake.start()
    try:
        if bare:
            process = await start_process(["bench/bare_bot.py"], bare_env(fake))
        else:
            database = f"sqlite+aiosqlite:///{folder}/{uuid.uuid4().hex}.db"
            cluster = Cluster(database, fake, 1, fork=False, LOG_LEVEL="ERROR")
            process = await start_process(["-m", "bot", "run"], polling_env(cluster))
        try:
            await until_polling(fake, process)
            await asyncio.sleep(SETTLE)
            cpu, wall = cpu_seconds([process.pid]), time.perf_counter()
            await asyncio.sleep(seconds)
            return (cpu_seconds([process.pid]) - cpu) / (time.perf_counter() - wall)
        finally:
            process.terminate()
            await process.wait()
    finally:
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bare = await idle_cpu(args.seconds, bare=True, folder=folder)
        ours = await idle_cpu(args.seconds, bare=False, folder=folder)
    # /proc counts CPU in ticks of 10 ms: a short run may see none of the bare bot's.
    ratio = f"{ours / bare:.1f}×" if bare else "the bare bot's under one tick: run longer"
    print(f"idle, {args.seconds:.0f} s each: bare aiogram {bare * 1000:.2f} ms CPU a second, "
          f"Tin Tốt {ours * 1000:.2f} ms CPU a second ({ratio})")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
