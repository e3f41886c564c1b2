"""Memory with many members in the middle of a flow: the state is in the database, so the
process should not grow with the number of conversations.

    python bench/memory.py                 # 10,000 members, SQLite
    python bench/memory.py --members 2000 --db postgresql+asyncpg://…

Each member registers, starts a submission and answers two of the five basics, through the
real core (no network: the events are fed to ``Core.handle`` as an adapter would). The resident
memory (VmRSS) is read before and after, in one run, after a warm-up of 200 members.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.serve.compose import build
from bot.settings import Settings
from handlers.engine.core import Core
from handlers.engine.types import Inbound


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def walk(core: Core, user: int, counter: list[int]) -> None:
    """/start, pick a unit, /gui, Tin tốt, Thông tin thô, two answers: mid-flow."""
    for fields in (
        {"command": "start"},
        {"text": "1"},
        {"command": "gui"},
        {"text": "1"},
        {"text": "2"},
        {"text": f"Sáng {user % 28 + 1}/11"},
        {"text": f"Nhà văn hóa khu phố {user % 9}"},
    ):
        counter[0] += 1
        event = Inbound(
            platform="zalo",
            update_key=f"bench:{counter[0]}",
            user_id=f"u{user}",
            chat_id=f"u{user}",
            display_name=f"Đoàn viên {user}",
            numbered_choices=True,
            **fields,  # type: ignore[arg-type]
        )
        await core.handle(event)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite+aiosqlite:///{folder}/memory.db"
        app = await build(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        counter = [0]
        try:
            for user in range(200):  # warm-up: imports, template caches, the pool
                await walk(app.core, user, counter)
            gc.collect()
            before, started = rss_mb(), time.perf_counter()
            for start in range(200, 200 + args.members, 50):
                await asyncio.gather(
                    *(
                        walk(app.core, user, counter)
                        for user in range(start, min(start + 50, 200 + args.members))
                    )
                )
            gc.collect()
            after, took = rss_mb(), time.perf_counter() - started
        finally:
            await app.close()
    print(f"\n{args.members:,} members left mid-flow ({counter[0]:,} updates, {took:.0f} s)")
    print(f"{'resident memory before':28} {before:8.1f} MB")
    print(f"{'resident memory after':28} {after:8.1f} MB")
    print(f"growth: {after - before:.1f} MB (aim: under 50 MB)")


if __name__ == "__main__":
    asyncio.run(main())
