"""Throughput and latency of the whole member flow through the real ``python -m bot run``,
side by side with a bare aiogram bot that only answers (the framework's floor), in one run
on one harness: the fake Bot API server of the tests on 127.0.0.1.

    python bench/flow.py                                  # 1,000 members, SQLite, polling
    python bench/flow.py --members 300 --pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Each member types the raw-information flow (13 updates: /start, the unit, /gui, Tin tốt,
Thông tin thô, five answers, Bỏ qua, Gửi), waiting for the bot's answer to each; an editor
approves each item as it is sent (/duyet in a private chat). Latency is from the moment the
fake server hands an update to the bot (a getUpdates answer or a webhook POST) to the
message that answers it. With
--pg, the same runs on PostgreSQL, by polling and by webhook with 1, 2 and 4 workers behind
a load balancer; there, the share of busy database sessions waiting on a lock is sampled
from pg_stat_activity.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cluster import ED1, Balancer, Cluster  # noqa: E402
from tests.fake_telegram import TOKEN, FakeTelegram, Json, Sent, _chat_of  # noqa: E402
from tests.harness import free_port  # noqa: E402

STEPS = [
    ("/start", "Chọn đơn vị"),
    ("Đoàn phường An Lạc", "Đã lưu đơn vị"),
    ("/gui", "Bạn muốn gửi gì"),
    ("Tin tốt", "Bước 2"),
    ("Thông tin thô", "Câu 1/5"),
    ("Sáng 15/11", "Câu 2/5"),
    ("Nhà văn hóa khu phố 3", "Câu 3/5"),
    ("Cô Hoa và 15 đoàn viên", "Câu 4/5"),
    ("Dạy học miễn phí cho các em", "Câu 5/5"),
    ("Lan tỏa tinh thần tương thân", "Ảnh, video minh họa"),
    ("Bỏ qua", "Xem lại"),
    ("Gửi", "Đã gửi"),
]
WAIT = 300.0


@dataclass
class Waiter:
    expect: str
    future: asyncio.Future[Sent]
    delivered: float | None = None


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    lock_share: float | None = None

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Driver:
    """Members and editors talking to whatever bot is behind the fake server."""

    def __init__(self, fake: FakeTelegram, *, bare: bool) -> None:
        self.fake, self.bare = fake, bare
        self.waiting: dict[int, Waiter] = {}
        self.latencies: list[float] = []
        self.approved = 0
        self.submitted: asyncio.Queue[int] = asyncio.Queue()
        fake.on_delivered, fake.on_sent = self.delivered, self.sent

    def delivered(self, update: Json) -> None:
        waiter = self.waiting.get(_chat_of(update))
        if waiter is not None and waiter.delivered is None:
            waiter.delivered = time.perf_counter()

    def sent(self, message: Sent) -> None:
        waiter = self.waiting.get(message.chat_id)
        if waiter is None or waiter.delivered is None or message.method == "editMessageReplyMarkup":
            return
        if self.bare or waiter.expect in (message.plain or ""):
            self.latencies.append(time.perf_counter() - waiter.delivered)
            del self.waiting[message.chat_id]
            if not waiter.future.done():
                waiter.future.set_result(message)

    async def say(self, chat: int, text: str, expect: str) -> Sent:
        waiter = Waiter(expect, asyncio.get_running_loop().create_future())
        self.waiting[chat] = waiter
        self.fake.push_text(chat, text)
        try:
            return await asyncio.wait_for(waiter.future, WAIT)
        except TimeoutError:
            raise TimeoutError(
                f"chat {chat}: no answer containing {expect!r} to {text!r}"
            ) from None

    async def member(self, user: int) -> None:
        for text, expect in STEPS:
            answer = await self.say(user, text, expect)
        found = re.search(r"#(\d+)", answer.plain or "")
        self.submitted.put_nowait(int(found[1]) if found else 0)

    async def editors(self, count: int) -> None:
        """An editor approves each item as it is sent, by /duyet in a private chat (the cards
        in the group come at Telegram's 20 messages a minute, whatever the bot does)."""
        for _ in range(count):
            number = await asyncio.wait_for(self.submitted.get(), WAIT)
            await self.say(ED1, f"/duyet {number}", "Người gửi đã được báo")
            self.approved += 1


async def sample_locks(pg_admin: str, database: str, stop: asyncio.Event) -> float:
    """The share of samples of busy sessions that were waiting on a lock."""
    connection = await asyncpg.connect(pg_admin)
    busy = waiting = 0
    query = (
        "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FROM pg_stat_activity "
        "WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()"
    )
    try:
        while not stop.is_set():
            locked, active = await connection.fetchrow(query, database)
            waiting, busy = waiting + locked, busy + active
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.02)
    finally:
        await connection.close()
    return waiting / busy if busy else 0.0


async def start_process(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def until_polling(fake: FakeTelegram) -> None:
    for _ in range(600):
        if any(method == "getUpdates" for method, _ in fake.calls):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the bot never polled")


async def run_one(
    name: str, members: int, *, bare: bool, db_url: str | None, workers: int,
    pg_admin: str | None = None, database: str | None = None,
) -> Result:  # fmt: skip
    fake = FakeTelegram()
    await fake.start()
    driver = Driver(fake, bare=bare)
    stop_sampling = asyncio.Event()
    processes: list[asyncio.subprocess.Process] = []
    cluster: Cluster | None = None
    balancer: Balancer | None = None
    try:
        webhook = workers > 0
        if not bare:
            assert db_url is not None
            cluster = Cluster(db_url, fake, max(workers, 1), LOG_LEVEL="ERROR")
            if webhook:
                await cluster.start()
            else:
                env = cluster.env(free_port())
                env = {k: v for k, v in env.items() if "WEBHOOK" not in k}
                processes.append(await start_process(["-m", "bot", "run"], env))
                await until_polling(fake)
        else:
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake.base_url}
            if webhook:
                ports = [free_port() for _ in range(workers)]
                balancer = Balancer(ports)
                await balancer.start()
                for port in ports:
                    processes.append(
                        await start_process(
                            ["bench/bare_bot.py"], {**env, "WEBHOOK_PORT": str(port)}
                        )
                    )
                await asyncio.sleep(3)
                await fake.api_setWebhook({"url": f"http://127.0.0.1:{balancer.port}/telegram"})
            else:
                processes.append(await start_process(["bench/bare_bot.py"], env))
                await until_polling(fake)
        sampler = (
            asyncio.create_task(sample_locks(pg_admin, database, stop_sampling))
            if pg_admin and database and not bare
            else None
        )
        started = time.perf_counter()
        jobs: list[Awaitable[Any]] = [driver.member(10_000 + n) for n in range(members)]
        jobs.append(driver.editors(members))
        await asyncio.gather(*jobs)
        seconds = time.perf_counter() - started
        stop_sampling.set()
        share = await sampler if sampler else None
        updates = members * len(STEPS) + driver.approved
        result = Result(name, updates, seconds, driver.latencies, share)
        print(f"{name}: {result.rate:.1f} updates/s", file=sys.stderr, flush=True)
        return result
    finally:
        stop_sampling.set()
        if cluster is not None and webhook:
            await cluster.stop()
        for process in processes:
            with suppress(ProcessLookupError):
                process.terminate()
            with suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 20)
        if balancer is not None:
            await balancer.stop()
        await fake.stop()


async def fresh_pg(admin: str) -> tuple[str, str]:
    name = f"bench_flow_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return name, name


def table(results: list[Result], floors: dict[str, Result]) -> None:
    head = f"{'run':<34}{'updates':>8}{'upd/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'lock wait':>11}"
    print(head)
    print("-" * len(head))
    for r in results:
        lock = f"{r.lock_share:.1%}" if r.lock_share is not None else "-"
        print(
            f"{r.name:<34}{r.updates:>8}{r.rate:>9.1f}{r.pct(0.5):>9.1f}{r.pct(0.99):>9.1f}{lock:>11}"
        )
    print()
    ratios = []
    for r in results:
        floor = floors.get(r.name)
        if floor is not None:
            ratios.append(
                f"{r.name}: throughput {r.rate / floor.rate:.2f}× the bare bot's (aim ≥ 0.5), "
                f"p99 {r.pct(0.99) / floor.pct(0.99):.2f}× (aim ≤ 3)"
            )
    print("; ".join(ratios))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--pg", help="a PostgreSQL superuser URL: adds the PostgreSQL runs")
    parser.add_argument("--workers", default="1,2,4", help="webhook workers on PostgreSQL")
    args = parser.parse_args()
    results: list[Result] = []
    floors: dict[str, Result] = {}
    with tempfile.TemporaryDirectory() as folder:
        bare_polling = await run_one(
            "bare aiogram, polling", args.members, bare=True, db_url=None, workers=0
        )
        results.append(bare_polling)
        sqlite = f"sqlite+aiosqlite:///{folder}/bench.db"
        ours = await run_one(
            "Tin Tốt, polling, SQLite", args.members, bare=False, db_url=sqlite, workers=0
        )
        results.append(ours)
        floors[ours.name] = bare_polling
        if args.pg:
            admin = args.pg.replace("postgresql+asyncpg", "postgresql")
            base = args.pg.rsplit("/", 1)[0]
            name, _ = await fresh_pg(admin)
            ours = await run_one(
                "Tin Tốt, polling, PostgreSQL", args.members, bare=False,
                db_url=f"{base}/{name}", workers=0, pg_admin=admin, database=name,
            )  # fmt: skip
            results.append(ours)
            floors[ours.name] = bare_polling
            bare_hook = await run_one(
                "bare aiogram, webhook ×1", args.members, bare=True, db_url=None, workers=1
            )
            results.append(bare_hook)
            for count in [int(n) for n in args.workers.split(",")]:
                name, _ = await fresh_pg(admin)
                ours = await run_one(f"Tin Tốt, webhook ×{count}, PostgreSQL", args.members,
                                     bare=False, db_url=f"{base}/{name}", workers=count,
                                     pg_admin=admin, database=name)  # fmt: skip
                results.append(ours)
                floors[ours.name] = bare_hook
    print(f"{args.members} members × {len(STEPS)} updates, plus one /duyet each; "
          f"{os.cpu_count()} CPUs shared by the bot, the fake server and the database")  # fmt: skip
    table(results, floors)


if __name__ == "__main__":
    asyncio.run(main())
