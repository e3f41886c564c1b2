"""Throughput and latency of the whole member flow through the real ``python -m bot run``,
side by side with a bare aiogram bot that only answers (the framework's floor), in one run
on one harness: the fake Bot API server of the tests on 127.0.0.1.

    python bench/flow.py --members 200          # the four measurements, SQLite, polling
    python bench/flow.py --members 300 --pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

The four measurements, each beside the bare bot in the same run, end with one line
``ratios: cpu/update A×, p99 at load B×, burst p99/p50 C, engine throughput D×``:
A, the bot process's own CPU time (user + system, read from /proc before and after) per
update over the bare bot's, in the burst; B, the p99 of the members' answers with 100 members
pausing (``--think 4``) over the bare bot's (the editor's /duyet answers, which all go into one
chat that Telegram paces to about one a second, are printed apart: an editor approving several
items a second waits there by Telegram's rule, whatever the bot does); C, our p99 over our
p50 with every member typing at once (fairness when Telegram's budget is the limit); D, our
throughput in that burst with every limiter off (``BENCH_NO_LIMITS=1``, a bench-only setting)
over the bare bot's. ``BENCH_LOG_LEVEL=WARNING``
shows the bot's own log (e.g. a slow wait for SQLite's write lock, with its holder).

``--only cpu`` runs the burst pair alone (the bare bot, then ours) and prints A, a few minutes
shorter than the four, for measuring a change of the hot path (``--members 60`` is enough: A
is per update). ``--only engine`` is the same pair with our limiters off: no pacing, so no idle
time between updates counts in ours, and the figure moves less from run to run.
``BENCH_PYSPY=FILE`` records py-spy (``pip install py-spy``; raw folded stacks,
``--gil``: Python holding the GIL) on our bot process while the members type, into FILE;
``BENCH_CPROFILE=FILE`` runs our bot under cProfile timed by its main thread's CPU clock
(``bench/profiled.py``), stats in FILE (``python -m pstats FILE``).

Each member types the raw-information flow (13 updates: /start, the unit, /gui, Tin tốt,
Thông tin thô, five answers, Bỏ qua, Gửi), waiting for the bot's answer to each (and, with
``--think``, pausing between half and one and a half times that before each message); an editor
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
import random
import re
import signal
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
from tests.harness import free_port  # noqa: E402
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram, Json, Sent, _chat_of  # noqa: E402

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
    step: str
    future: asyncio.Future[Sent]
    delivered: float | None = None


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    lock_share: float | None = None
    cpu: float = 0.0  # seconds of the bot process(es), user + system
    editor: list[float] = field(default_factory=list)  # the /duyet answers among latencies

    @property
    def cpu_per_update(self) -> float:
        return self.cpu / self.updates

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def members_pct(self, q: float) -> float:
        """The members' answers alone: the editor's /duyet answers go into one chat, which
        Telegram paces to about one a second, so an editor approving faster waits by rule."""
        ordered = sorted(self.latencies)
        for took in self.editor:
            ordered.remove(took)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Driver:
    """Members and editors talking to whatever bot is behind the fake server."""

    def __init__(self, fake: FakeTelegram, *, bare: bool, think: float = 0.0) -> None:
        self.fake, self.bare, self.think = fake, bare, think
        self.random = random.Random(7)  # the same pauses for both bots
        self.waiting: dict[int, Waiter] = {}
        self.latencies: list[float] = []
        self.editor_latencies: list[float] = []  # the /duyet answers, apart from the members'
        self.by_step: dict[str, list[float]] = {}  # which step's answers make the tail
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
            took = time.perf_counter() - waiter.delivered
            self.latencies.append(took)
            if message.chat_id == ED1:
                self.editor_latencies.append(took)
            step = waiter.step.split(" ")[0] if waiter.step.startswith("/") else waiter.step
            self.by_step.setdefault(step, []).append(took)
            del self.waiting[message.chat_id]
            if not waiter.future.done():
                waiter.future.set_result(message)

    async def say(self, chat: int, text: str, expect: str) -> Sent:
        waiter = Waiter(expect, text, asyncio.get_running_loop().create_future())
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
            if self.think:
                await asyncio.sleep(self.think * self.random.uniform(0.5, 1.5))
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


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes so far (Linux /proc; fields 14 and 15 of stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def start_process(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=None if os.environ.get("BENCH_LOG_LEVEL") else asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def start_spy(pids: list[int]) -> asyncio.subprocess.Process | None:
    """py-spy on our bot process into BENCH_PYSPY (folded stacks), when that is set."""
    out = os.environ.get("BENCH_PYSPY")
    if not out:
        return None
    spy = await asyncio.create_subprocess_exec(
        "py-spy", "record", "--pid", str(pids[0]), "--format", "raw", "--rate", "250",
        "--nonblocking", "--gil", "--output", out, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(1)  # py-spy attaches
    return spy


async def until_listening(port: int, processes: list[asyncio.subprocess.Process]) -> None:
    """Until the bare bot's webhook server on ``port`` accepts connections: a loaded machine
    takes seconds to start a process, and an update delivered before counted that as its wait
    (the bare webhook's 18.5 s tail in an earlier run)."""
    for _ in range(3000):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if any(p.returncode is not None for p in processes):
                raise RuntimeError("a bare bot exited before listening") from None
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise TimeoutError(f"nothing listens on {port}")


async def until_polling(fake: FakeTelegram, process: asyncio.subprocess.Process) -> None:
    for _ in range(3000):  # a loaded machine starts a process slowly
        if any(method == "getUpdates" for method, _ in fake.calls):
            return
        if process.returncode is not None:
            raise RuntimeError(f"the bot exited ({process.returncode}) before polling")
        await asyncio.sleep(0.1)
    raise TimeoutError("the bot never polled")


def polling_env(cluster: Cluster) -> dict[str, str]:
    """Our bot's environment by polling: the cluster's without the webhook; the web server
    keeps its own free port (8080 may be taken)."""
    env = cluster.env(free_port())
    return {k: v for k, v in env.items() if not k.startswith("TELEGRAM_WEBHOOK")}


def bare_env(fake: FakeTelegram) -> dict[str, str]:
    """The bare bot's environment: this process's, with the fake's token and address."""
    return {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake.base_url}


async def run_one(
    name: str, members: int, *, bare: bool, db_url: str | None, workers: int,
    pg_admin: str | None = None, database: str | None = None, think: float = 0.0,
    no_limits: bool = False,
) -> Result:  # fmt: skip
    fake = FakeTelegram()
    await fake.start()
    driver = Driver(fake, bare=bare, think=think)
    stop_sampling = asyncio.Event()
    processes: list[asyncio.subprocess.Process] = []
    cluster: Cluster | None = None
    balancer: Balancer | None = None
    try:
        webhook = workers > 0
        if not bare:
            assert db_url is not None
            extra = {"LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "ERROR")}
            extra |= {"BENCH_NO_LIMITS": "1"} if no_limits else {}
            cluster = Cluster(db_url, fake, max(workers, 1), fork=False, **extra)
            if webhook:
                await cluster.start()
            else:
                env = polling_env(cluster)
                profiled = os.environ.get("BENCH_CPROFILE")
                command = ["bench/profiled.py", profiled] if profiled else ["-m", "bot"]
                processes.append(await start_process([*command, "run"], env))
                await until_polling(fake, processes[-1])
        else:
            env = bare_env(fake)
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
                for port in ports:  # else the first deliveries fail and count as waits
                    await until_listening(port, processes)
                await fake.api_setWebhook({"url": f"http://127.0.0.1:{balancer.port}/telegram"})
            else:
                processes.append(await start_process(["bench/bare_bot.py"], env))
                await until_polling(fake, processes[-1])
        sampler = (
            asyncio.create_task(sample_locks(pg_admin, database, stop_sampling))
            if pg_admin and database and not bare
            else None
        )
        pids = [p.pid for p in processes]
        if cluster is not None and webhook:
            pids = [p.pid for p in cluster.processes if p is not None]
        spy = await start_spy(pids) if not bare else None
        if os.environ.get("BENCH_CPROFILE") and not bare:
            os.kill(pids[0], signal.SIGUSR1)  # bench/profiled.py starts profiling
        cpu_before = cpu_seconds(pids)
        started = time.perf_counter()
        jobs: list[Awaitable[Any]] = [driver.member(10_000 + n) for n in range(members)]
        jobs.append(driver.editors(members))
        await asyncio.gather(*jobs)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds(pids) - cpu_before
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            await spy.wait()
        stop_sampling.set()
        share = await sampler if sampler else None
        updates = members * len(STEPS) + driver.approved
        result = Result(name, updates, seconds, driver.latencies, share, cpu)
        print(f"{name}: {result.rate:.1f} updates/s, p50 {result.pct(0.5):.1f} ms, "
              f"p99 {result.pct(0.99):.1f} ms, {result.cpu_per_update * 1000:.2f} ms CPU/update",
              file=sys.stderr, flush=True)  # fmt: skip
        # Whose answers make the tail: the members' alone, and the editor's /duyet.
        result.editor = driver.editor_latencies
        editor = Result(name, len(driver.editor_latencies), seconds, driver.editor_latencies)
        if editor.latencies and len(editor.latencies) < len(result.latencies):
            print(f"  members alone p50 {result.members_pct(0.5):.1f} ms, p99 "
                  f"{result.members_pct(0.99):.1f} ms; the editor's /duyet p50 "
                  f"{editor.pct(0.5):.1f} ms, p99 {editor.pct(0.99):.1f} ms",
                  file=sys.stderr, flush=True)  # fmt: skip
        if think:  # the steps whose answers wait longest
            slow = sorted(driver.by_step.items(), key=lambda kv: -max(kv[1]))[:4]
            for step, took in slow:
                shown = Result(step, len(took), seconds, took)
                print(f"  step {step!r}: p50 {shown.pct(0.5):.1f} ms, p99 "
                      f"{shown.pct(0.99):.1f} ms, max {max(took) * 1000:.1f} ms",
                      file=sys.stderr, flush=True)  # fmt: skip
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
    head = (f"{'run':<44}{'updates':>8}{'upd/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'CPU ms/upd':>11}{'lock wait':>11}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for r in results:
        lock = f"{r.lock_share:.1%}" if r.lock_share is not None else "-"
        print(f"{r.name:<44}{r.updates:>8}{r.rate:>9.1f}{r.pct(0.5):>9.1f}{r.pct(0.99):>9.1f}"
              f"{r.cpu_per_update * 1000:>11.2f}{lock:>11}")  # fmt: skip
    print()
    for r in results:
        floor = floors.get(r.name)
        if floor is not None:
            cpu = r.cpu_per_update / floor.cpu_per_update
            p99 = r.pct(0.99) / floor.pct(0.99)
            rate = r.rate / floor.rate
            print(f"{r.name}: throughput {rate:.2f}×, p99 {p99:.2f}×, CPU/update {cpu:.2f}×")


async def four(members: int, folder: str) -> tuple[list[Result], dict[str, Result], str]:
    """The four measurements on SQLite by polling, each beside the bare bot; the ratios line."""
    results: list[Result] = []
    floors: dict[str, Result] = {}
    busy = max(members // 2, 1)

    async def pair(label: str, count: int, **kw: Any) -> tuple[Result, Result]:
        floor = await run_one(f"bare aiogram, {label}", count, bare=True, db_url=None,
                              workers=0, think=kw.get("think", 0.0))  # fmt: skip
        db = f"sqlite+aiosqlite:///{folder}/{uuid.uuid4().hex}.db"
        ours = await run_one(f"Tin Tốt, SQLite, {label}", count, bare=False, db_url=db,
                             workers=0, **kw)  # fmt: skip
        results.extend([floor, ours])
        floors[ours.name] = floor
        return floor, ours

    bare, burst = await pair(f"{members} members, no pause", members)
    # Beside the same bare floor: the bare bot has no limiter to turn off.
    engine = await run_one(
        f"Tin Tốt, SQLite, {members} members, no limits", members, bare=False,
        db_url=f"sqlite+aiosqlite:///{folder}/{uuid.uuid4().hex}.db", workers=0,
        no_limits=True,
    )  # fmt: skip
    results.append(engine)
    floors[engine.name] = bare
    load_bare, load = await pair(f"{busy} members, think 4 s", busy, think=4.0)
    line = (
        f"ratios: cpu/update {burst.cpu_per_update / bare.cpu_per_update:.2f}×, "
        f"p99 at load {load.members_pct(0.99) / load_bare.members_pct(0.99):.2f}×, "
        f"burst p99/p50 {burst.pct(0.99) / burst.pct(0.5):.2f}, "
        f"engine throughput {engine.rate / bare.rate:.2f}×"
    )
    return results, floors, line


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--think", type=float, default=None,
                        help="seconds each member pauses (0.5-1.5×) before each message: "
                             "then one pair of runs at that pace instead of the four")  # fmt: skip
    parser.add_argument(
        "--only",
        choices=["cpu", "engine"],
        help="cpu: the burst pair alone and A (CPU per update over the bare bot's); engine: "
        "the same with our limiters off (D's run, where no pacing adds idle time: the "
        "steadier figure for comparing two versions' work per update)",
    )
    parser.add_argument("--pg", help="a PostgreSQL superuser URL: adds the PostgreSQL runs")
    parser.add_argument("--workers", default="1,2,4", help="webhook workers on PostgreSQL")
    args = parser.parse_args()
    results: list[Result] = []
    floors: dict[str, Result] = {}
    line = ""
    think = args.think or 0.0
    with tempfile.TemporaryDirectory() as folder:
        if args.only is not None:
            engine = args.only == "engine"
            bare = await run_one(f"bare aiogram, {args.members} members, no pause", args.members,
                                 bare=True, db_url=None, workers=0)  # fmt: skip
            db = f"sqlite+aiosqlite:///{folder}/{uuid.uuid4().hex}.db"
            how = "no limits" if engine else "no pause"
            ours = await run_one(f"Tin Tốt, SQLite, {args.members} members, {how}",
                                 args.members, bare=False, db_url=db, workers=0,
                                 no_limits=engine)  # fmt: skip
            table([bare, ours], {ours.name: bare})
            print(
                f"{'no limits: ' if engine else ''}"
                f"cpu/update {ours.cpu_per_update / bare.cpu_per_update:.2f}× "
                f"({ours.cpu_per_update * 1000:.2f} ms vs {bare.cpu_per_update * 1000:.2f} ms)"
            )
            return
        if args.think is None:
            results, floors, line = await four(args.members, folder)
        bare_polling = await run_one(
            "bare aiogram, polling", args.members, bare=True, db_url=None, workers=0, think=think
        ) if args.think is not None or args.pg else None  # fmt: skip
        if args.think is not None:
            assert bare_polling is not None
            results.append(bare_polling)
            sqlite = f"sqlite+aiosqlite:///{folder}/bench.db"
            ours = await run_one("Tin Tốt, polling, SQLite", args.members, bare=False,
                                 db_url=sqlite, workers=0, think=think)  # fmt: skip
            results.append(ours)
            floors[ours.name] = bare_polling
        if args.pg:
            assert bare_polling is not None
            admin = args.pg.replace("postgresql+asyncpg", "postgresql")
            base = args.pg.rsplit("/", 1)[0]
            name, _ = await fresh_pg(admin)
            ours = await run_one(
                "Tin Tốt, polling, PostgreSQL", args.members, bare=False,
                db_url=f"{base}/{name}", workers=0, pg_admin=admin, database=name, think=think,
            )  # fmt: skip
            results.append(ours)
            floors[ours.name] = bare_polling
            bare_hook = await run_one("bare aiogram, webhook ×1", args.members, bare=True,
                                      db_url=None, workers=1, think=think)  # fmt: skip
            results.append(bare_hook)
            for count in [int(n) for n in args.workers.split(",")]:
                name, _ = await fresh_pg(admin)
                ours = await run_one(f"Tin Tốt, webhook ×{count}, PostgreSQL", args.members,
                                     bare=False, db_url=f"{base}/{name}", workers=count,
                                     pg_admin=admin, database=name, think=think)  # fmt: skip
                results.append(ours)
                floors[ours.name] = bare_hook
    print(f"each member × {len(STEPS)} updates, plus one /duyet each; "
          f"{os.cpu_count()} CPUs shared by the bot, the fake server and the database")  # fmt: skip
    table(results, floors)
    if line:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
