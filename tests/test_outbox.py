"""The outbox worker and the Telegram publisher against the fake Bot API: retries, timeouts,
crashes mid-send, captions and albums, links; and the rate limiter on a virtual clock."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.telegram.send import TelegramSender
from bot.platforms.telegram.session import Session
from bot.runtime.doorbell import Doorbell
from bot.runtime.outbox import OutboxWorker
from bot.runtime.ratelimit import RateLimiter
from bot.runtime.sending import Permanent, Transient, Unknown
from handlers.engine.context import Deps
from handlers.engine.texts import render
from handlers.engine.types import Choice, MediaKind, MediaRef, Reply, Say, rows
from handlers.org import load_org
from storage import outbox
from storage.db import OUTBOX_BELL, make_engine, make_sessions, migrate
from storage.models import Outbox, OutboxKind, OutboxStatus
from tests.fake_base import PATIENCE
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram, Sent

ORG = load_org(Path(__file__).resolve().parents[1] / "config" / "org.example.toml")
USER = 5001  # a private chat: the fake knows it once the user has written
CHANNEL = "-1001234567890"
EVIL = "<script>alert(1)</script> & <b>co</b>"
PHOTO, VIDEO = "https://example.org/a.jpg", "https://example.org/b.mp4"
LONG_TAGS = {"tin_tot": "#" + "tintot " * 200, "cau_chuyen_dep": EVIL}  # over 1024, under 4096


class Clock:
    """The worker's "now", moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class VirtualTime:
    """A monotonic clock for the rate limiter whose sleeps take no time."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


class SpyLimiter(RateLimiter):
    def __init__(self) -> None:
        virtual_time = VirtualTime()
        super().__init__(clock=virtual_time.clock, sleep=virtual_time.sleep)
        self.acquired: list[tuple[str, int]] = []

    async def acquire(self, chat_id: str, count: int = 1, *, urgent: bool = False) -> None:
        self.acquired.append((chat_id, count))
        await super().acquire(chat_id, count, urgent=urgent)


def make_bot(base_url: str) -> Bot:
    """The bot's own client (JSON bodies; closed at once on http://)."""
    session = Session(api=TelegramAPIServer.from_base(base_url))
    return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))


class Env:
    def __init__(self, db_url: str, fake: FakeTelegram) -> None:
        self.db_url, self.fake = db_url, fake
        self.clock = Clock()
        self.limiter = SpyLimiter()
        self.delivered: list[tuple[int | None, list[str], str | None]] = []
        self.problems: list[tuple[int | None, str]] = []
        self.engine = make_engine(db_url)
        self.sessions = make_sessions(self.engine)
        self.bot = make_bot(fake.base_url)

    async def restart(self) -> None:
        """A new process: new engine, new bot session; only the database carries over."""
        await self.close()
        self.engine = make_engine(self.db_url)
        self.sessions = make_sessions(self.engine)
        self.bot = make_bot(self.fake.base_url)

    async def close(self) -> None:
        await self.bot.session.close()
        await self.engine.dispose()

    def worker(
        self,
        *,
        timeout: int = 30,
        clock: Callable[[], datetime] | None = None,
        limiter: RateLimiter | None = None,
        **options: Any,
    ) -> OutboxWorker:
        deps = Deps(org=ORG, tz=ZoneInfo("Asia/Ho_Chi_Minh"), clock=clock or self.clock)
        sender = TelegramSender(self.bot, limiter or self.limiter, request_timeout=timeout)
        defaults: dict[str, Any] = {"backoff_base": 0.05, "idle_sleep": 0.05, "clock": deps.clock}
        options = defaults | options
        return OutboxWorker(
            self.sessions,
            deps,
            sender,
            compose=self.compose,
            after_sent=self.after_sent,
            after_problem=self.after_problem,
            **options,
        )

    async def compose(self, session: AsyncSession, item: Outbox, deps: Deps) -> Reply | None:
        if item.template is None:
            return None  # e.g. the submission was erased
        context = dict(item.context)
        media = cast(list[tuple[MediaKind, str]], context.pop("media", []))
        refs = tuple(MediaRef(kind, ref) for kind, ref in media)
        return Reply(Say(item.template, context), media=refs, as_caption=True)

    async def after_sent(
        self,
        session: AsyncSession,
        item: Outbox,
        *,
        message_ids: list[str],
        link: str | None,
        deps: Deps,
    ) -> None:
        await outbox.mark_sent(session, item=item, message_ids=message_ids, link=link)
        self.delivered.append((item.id, message_ids, link))

    async def after_problem(self, session: AsyncSession, item: Outbox, deps: Deps) -> None:
        self.problems.append((item.id, item.status))

    async def enqueue(
        self, kind: str, chat_id: str | int, template: str | None = "idle.j2", **context: Any
    ) -> int:
        key = f"{kind}:{chat_id}:{time.monotonic_ns()}"
        async with self.sessions.begin() as session:
            await outbox.enqueue(
                session,
                key=key,
                kind=OutboxKind(kind),
                platform="telegram",
                chat_id=str(chat_id),
                template=template,
                context=context,
                not_before=self.clock(),
            )
            row = (await session.exec(select(Outbox).where(Outbox.key == key))).one()
            assert row.id is not None
            return row.id

    async def row(self, item_id: int) -> Outbox:
        async with self.sessions() as session:
            row = await outbox.get(session, item_id=item_id)
            assert row is not None
            return row

    def sends(self, chat_id: str | int) -> list[Sent]:
        return [s for s in self.fake.sent if s.chat_id == int(chat_id)]


@pytest.fixture
async def env(db_url: str, fake: FakeTelegram) -> AsyncIterator[Env]:
    fake.push_text(USER, "/start")  # Telegram lets a bot write only to users who wrote first
    environment = Env(db_url, fake)
    await migrate(environment.engine)
    try:
        yield environment
    finally:
        await environment.close()


async def until(condition: Callable[[], bool], timeout: float = PATIENCE) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def plain(template: str, **context: Any) -> str:
    return render(Say(template, context), "plain")


def fast_limiter(speed: float) -> RateLimiter:
    """Telegram's limits on a clock running ``speed`` times faster than the wall clock."""
    return RateLimiter(
        clock=lambda: time.monotonic() * speed, sleep=lambda seconds: asyncio.sleep(seconds / speed)
    )


# --- waking ------------------------------------------------------------------------------------


async def test_a_row_committed_in_this_process_goes_at_once_not_at_the_next_look(
    env: Env, fake: FakeTelegram
) -> None:
    """The worker looks for rows once an hour here. A transaction of this process that commits
    a row rings its bell, and the row goes at once; one rolled back rings nothing."""
    bell = Doorbell()
    env.sessions.kw["info"] = {**env.sessions.kw["info"], OUTBOX_BELL: bell.ring}
    wake = bell.listener()
    worker = env.worker(idle_sleep=3600, wake=wake)
    first = await env.enqueue("notice", USER)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await until(lambda: [i for i, _, _ in env.delivered] == [first])  # its first look
        await asyncio.sleep(0.3)  # settled into its hour-long wait (nothing else to look for)
        with pytest.raises(LookupError):
            async with env.sessions.begin() as session:
                await outbox.enqueue(
                    session, key="gone", kind=OutboxKind.NOTICE, platform="telegram",
                    chat_id=str(USER), template="idle.j2", not_before=env.clock(),
                )  # fmt: skip
                raise LookupError  # rolled back
        assert not wake.is_set()
        second = await env.enqueue("notice", USER)
        await until(lambda: [i for i, _, _ in env.delivered] == [first, second])
    finally:
        stop.set()
        await task
    assert len(env.sends(USER)) == 2


# --- retries, timeouts, crashes ----------------------------------------------------------------


async def test_retry_after_is_waited_out_then_sent_once(
    env: Env, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    worker = env.worker(clock=lambda: datetime.now(UTC))  # real time: run() sleeps for real
    fake.fail_next("sendMessage", status=429, retry_after=1)
    env.clock.now = datetime.now(UTC)
    item = await env.enqueue("notice", USER)
    stop = asyncio.Event()
    started = time.monotonic()
    task = asyncio.create_task(worker.run(stop))
    try:
        await until(lambda: bool(env.delivered))
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        await task
    assert elapsed >= 1.0
    assert [error[:2] for error in fake.errors] == [("sendMessage", 429)]
    assert len(env.sends(USER)) == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.SENT and row.attempts == 1  # a 429 is not an attempt
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # run() never failed


async def test_server_errors_are_retried_with_backoff(env: Env, fake: FakeTelegram) -> None:
    worker = env.worker()
    fake.fail_next("sendMessage", status=500, count=2)
    item = await env.enqueue("notice", USER)
    assert await worker.drain_once() == 1
    assert (await env.row(item)).not_before == env.clock() + timedelta(seconds=0.05)
    assert await worker.drain_once() == 0  # not due yet
    env.clock.advance(0.05)
    assert await worker.drain_once() == 1
    assert (await env.row(item)).not_before == env.clock() + timedelta(seconds=0.1)
    env.clock.advance(0.09)
    assert await worker.drain_once() == 0
    env.clock.advance(0.01)
    assert await worker.drain_once() == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.SENT and row.attempts == 3
    assert len(env.sends(USER)) == 1 and not env.problems


async def test_server_errors_up_to_max_attempts_fail(env: Env, fake: FakeTelegram) -> None:
    worker = env.worker(max_attempts=3)
    fake.fail_next("sendMessage", status=500, count=5)
    item = await env.enqueue("post", CHANNEL)
    for _ in range(3):
        assert await worker.drain_once() == 1
        env.clock.advance(1)
    assert await worker.drain_once() == 0
    row = await env.row(item)
    assert row.status == OutboxStatus.FAILED and row.attempts == 3
    assert env.problems == [(item, OutboxStatus.FAILED)]
    assert [method for method, _ in fake.calls].count("sendMessage") == 3


async def test_a_post_timing_out_needs_check_and_is_not_sent_again(
    env: Env, fake: FakeTelegram
) -> None:
    worker = env.worker(timeout=1)
    fake.hang_next("sendMessage", 1.5)
    item = await env.enqueue("post", CHANNEL)
    assert await worker.drain_once() == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.NEEDS_CHECK and "timeout" in (row.error or "")
    assert env.problems == [(item, OutboxStatus.NEEDS_CHECK)]
    await until(lambda: len(env.sends(CHANNEL)) == 1)  # Telegram did post it, late
    env.clock.advance(3600)
    assert await worker.drain_once() == 0
    await asyncio.sleep(0.1)
    assert len(env.sends(CHANNEL)) == 1
    assert (await env.row(item)).status == OutboxStatus.NEEDS_CHECK


async def test_a_notice_timing_out_is_sent_again(env: Env, fake: FakeTelegram) -> None:
    worker = env.worker(timeout=1)
    fake.hang_next("sendMessage", 1.5)
    item = await env.enqueue("notice", USER)
    assert await worker.drain_once() == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1 and not env.problems
    env.clock.advance(0.05)
    assert await worker.drain_once() == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.SENT and row.attempts == 2
    await until(lambda: len(env.sends(USER)) == 2)  # better twice than never


async def test_a_worker_killed_mid_send(env: Env, fake: FakeTelegram) -> None:
    post = await env.enqueue("post", CHANNEL)
    notice = await env.enqueue("notice", USER)
    lease = timedelta(seconds=120)
    async with env.sessions.begin() as session:  # claimed by a worker that then died
        claimed = await outbox.claim_due(session, platform="telegram", now=env.clock(), lease=lease)
    assert len(claimed) == 2
    worker = env.worker(lease=lease)
    assert await worker.drain_once() == 0  # their leases still run
    env.clock.advance(121)
    assert await worker.drain_once() == 1  # the notice, again
    assert (await env.row(post)).status == OutboxStatus.NEEDS_CHECK
    assert (await env.row(notice)).status == OutboxStatus.SENT
    assert env.problems == [(post, OutboxStatus.NEEDS_CHECK)]
    env.clock.advance(3600)
    assert await worker.drain_once() == 0
    assert env.sends(CHANNEL) == [] and len(env.sends(USER)) == 1
    assert env.problems == [(post, OutboxStatus.NEEDS_CHECK)]


async def test_a_long_batch_renews_the_leases_of_the_rows_still_to_send(
    env: Env, fake: FakeTelegram
) -> None:
    """Three notices claimed at once, each send taking 45 s of a 120 s lease, while another
    worker makes its pass after each send: the third row's lease is renewed before it goes
    (half the lease had passed), so the other worker never takes a row this one still sends."""
    lease = timedelta(seconds=120)
    ids = [await env.enqueue("notice", USER) for _ in range(3)]
    worker = env.worker(lease=lease)
    real = worker.sender
    taken: list[int | None] = []

    class Slow:
        platform = real.platform

        async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Any:
            env.clock.advance(45)
            async with env.sessions.begin() as session:  # another worker's pass, now
                now = env.clock()
                await outbox.expire_leases(session, platform="telegram", now=now)
                rows = await outbox.claim_due(session, platform="telegram", now=now, lease=lease)
                taken.extend(row.id for row in rows)
            return await real.send(chat_id, reply, kind=kind)

    worker.sender = Slow()
    assert await worker.drain_once() == 3
    assert taken == []
    assert [(await env.row(i)).status for i in ids] == [OutboxStatus.SENT] * 3
    assert len(env.sends(USER)) == 3 and env.problems == []


async def test_queued_rows_survive_a_restart(env: Env, fake: FakeTelegram) -> None:
    ids = [
        await env.enqueue("notice", USER),
        await env.enqueue("post", CHANNEL),
        await env.enqueue("card", "-100777"),
    ]
    await env.restart()
    assert await env.worker().drain_once() == 3
    assert [(await env.row(i)).status for i in ids] == [OutboxStatus.SENT] * 3
    assert [len(env.sends(chat)) for chat in (USER, CHANNEL, -100777)] == [1, 1, 1]


async def test_refused_for_good_fails_at_once(env: Env, fake: FakeTelegram) -> None:
    item = await env.enqueue("notice", 999)  # a user who never wrote to the bot
    assert await env.worker().drain_once() == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.FAILED and "chat not found" in (row.error or "")
    assert env.problems == [(item, OutboxStatus.FAILED)] and len(fake.calls) == 1


async def test_a_refused_connection_is_retried_and_no_token_shows(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await env.bot.session.close()
    env.bot = make_bot(f"http://127.0.0.1:{port}")
    caplog.set_level(logging.DEBUG)
    item = await env.enqueue("post", CHANNEL)
    assert await env.worker().drain_once() == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.QUEUED and (row.error or "").startswith("Transient")
    assert not env.problems
    assert "outbox" in caplog.text and TOKEN not in caplog.text and TOKEN not in (row.error or "")


async def test_failing_after_a_part_went_out_needs_check(env: Env, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", status=500)
    item = await env.enqueue(
        "post", CHANNEL, "kind_pick.j2", hashtags=LONG_TAGS, media=[("photo", PHOTO)]
    )
    worker = env.worker()
    assert await worker.drain_once() == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.NEEDS_CHECK and "after a part" in (row.error or "")
    env.clock.advance(3600)
    assert await worker.drain_once() == 0
    assert [s.method for s in env.sends(CHANNEL)] == ["sendPhoto"]


async def test_nothing_to_send_is_marked_sent(env: Env, fake: FakeTelegram) -> None:
    item = await env.enqueue("post", CHANNEL, template=None)
    assert await env.worker().drain_once() == 1
    row = await env.row(item)
    assert row.status == OutboxStatus.SENT and row.message_ids == []
    assert fake.sent == [] and env.delivered == []


async def test_a_failing_compose_is_retried(env: Env, fake: FakeTelegram) -> None:
    worker = env.worker()
    failures = [RuntimeError("store away")]

    async def compose(session: AsyncSession, item: Outbox, deps: Deps) -> Reply | None:
        if failures:
            raise failures.pop()
        return await env.compose(session, item, deps)

    worker.compose = compose
    item = await env.enqueue("post", CHANNEL)
    assert await worker.drain_once() == 1
    assert (await env.row(item)).status == OutboxStatus.QUEUED
    env.clock.advance(0.05)
    assert await worker.drain_once() == 1
    assert (await env.row(item)).status == OutboxStatus.SENT and len(env.sends(CHANNEL)) == 1


async def test_run_survives_a_failing_pass(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    worker = env.worker()
    drain, passes = worker.drain_once, []

    async def flaky() -> int:
        passes.append(1)
        if len(passes) == 1:
            raise RuntimeError("database away")
        return await drain()

    monkeypatch.setattr(worker, "drain_once", flaky)
    item = await env.enqueue("notice", USER)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await until(lambda: bool(env.delivered))
    finally:
        stop.set()
        await task
    assert len(passes) >= 2 and (await env.row(item)).status == OutboxStatus.SENT


# --- what Telegram shows ------------------------------------------------------------------------


async def test_a_short_text_is_the_caption_of_the_photo(env: Env, fake: FakeTelegram) -> None:
    item = await env.enqueue("post", CHANNEL, media=[("photo", PHOTO)])
    assert await env.worker().drain_once() == 1
    [sent] = env.sends(CHANNEL)
    assert (sent.method, sent.plain, sent.parse_mode) == ("sendPhoto", plain("idle.j2"), "HTML")
    assert env.delivered == [(item, ["1"], "https://t.me/c/1234567890/1")]
    assert env.limiter.acquired == [(CHANNEL, 1)]


async def test_a_long_text_follows_the_photo(env: Env, fake: FakeTelegram) -> None:
    item = await env.enqueue(
        "post", CHANNEL, "kind_pick.j2", hashtags=LONG_TAGS, media=[("photo", PHOTO)]
    )
    assert await env.worker().drain_once() == 1
    [photo, text] = env.sends(CHANNEL)
    assert (photo.method, photo.text) == ("sendPhoto", None)
    assert text.method == "sendMessage" and text.plain == plain("kind_pick.j2", hashtags=LONG_TAGS)
    assert env.delivered == [(item, ["1", "2"], "https://t.me/c/1234567890/1")]
    assert not fake.errors


async def test_an_album_has_the_caption_on_its_first_item(env: Env, fake: FakeTelegram) -> None:
    media = [("photo", PHOTO), ("photo", PHOTO + "?2"), ("video", VIDEO)]
    item = await env.enqueue("post", CHANNEL, media=media)
    assert await env.worker().drain_once() == 1
    sends = env.sends(CHANNEL)
    assert [s.method for s in sends] == ["sendMediaGroup"] * 3
    assert [s.plain for s in sends] == [plain("idle.j2"), None, None]
    assert sends[0].media == [tuple(m) for m in media]
    assert env.limiter.acquired == [(CHANNEL, 3)]
    assert env.delivered == [(item, ["1", "2", "3"], "https://t.me/c/1234567890/1")]


async def test_more_than_ten_media_go_in_albums_of_ten(env: Env, fake: FakeTelegram) -> None:
    media = [("photo", f"{PHOTO}?{n}") for n in range(11)]
    await env.enqueue("post", CHANNEL, media=media)
    assert await env.worker().drain_once() == 1
    sends = env.sends(CHANNEL)
    assert [s.method for s in sends] == ["sendMediaGroup"] * 10 + ["sendPhoto"]
    assert sends[0].plain == plain("idle.j2") and sends[10].plain is None
    assert env.limiter.acquired == [(CHANNEL, 10), (CHANNEL, 1)]


async def test_user_html_in_a_caption_shows_literally(env: Env, fake: FakeTelegram) -> None:
    tags = {"tin_tot": EVIL, "cau_chuyen_dep": "#x"}
    await env.enqueue("post", CHANNEL, "kind_pick.j2", hashtags=tags, media=[("photo", PHOTO)])
    assert await env.worker().drain_once() == 1
    [sent] = env.sends(CHANNEL)
    assert sent.method == "sendPhoto" and EVIL in (sent.plain or "")
    assert "<script>" not in (sent.text or "") and "<b>" in (sent.text or "")
    assert fake.errors == []


async def test_a_long_text_is_split_with_the_keyboard_last(env: Env, fake: FakeTelegram) -> None:
    tags = {"tin_tot": "tin tốt " * 700, "cau_chuyen_dep": "#x"}
    choices = rows([Choice("Xem", "see:1:")])
    reply = Reply(Say("kind_pick.j2", {"hashtags": tags}), choices=choices)
    delivery = await TelegramSender(env.bot, env.limiter).send(str(USER), reply, kind="notice")
    sends = env.sends(USER)
    assert len(sends) > 1 and all(s.method == "sendMessage" for s in sends)
    assert [s.buttons for s in sends] == [[]] * (len(sends) - 1) + [[[("Xem", "see:1:")]]]
    assert delivery.message_ids == [str(s.message_id) for s in sends] and delivery.link is None


async def test_force_reply_asks_for_an_answer(env: Env, fake: FakeTelegram) -> None:
    reply = Reply(Say("idle.j2"), force_reply=True)
    await TelegramSender(env.bot, env.limiter).send("-100555", reply, kind="notice")
    [sent] = env.sends(-100555)
    markup = sent.raw["reply_markup"]  # aiogram leaves out selective=False, Telegram's default
    assert markup["force_reply"] is True and not markup.get("selective")


async def test_errors_become_outcomes(env: Env, fake: FakeTelegram) -> None:
    sender = TelegramSender(env.bot, env.limiter)
    reply = Reply(Say("idle.j2"))
    for status, outcome in ((502, Transient), (403, Permanent), (400, Permanent)):
        fake.fail_next("sendMessage", status=status)
        with pytest.raises(outcome):
            await sender.send(CHANNEL, reply, kind="post")
    fake.hang_next("sendMessage", 1.5)
    with pytest.raises(Unknown):
        await TelegramSender(env.bot, env.limiter, request_timeout=1).send(
            CHANNEL, reply, kind="post"
        )


# --- pacing -------------------------------------------------------------------------------------


async def times_of(limiter: RateLimiter, clock: VirtualTime, chats: list[str]) -> list[float]:
    times = []
    for chat in chats:
        await limiter.acquire(chat)
        times.append(clock.now)
    return times


def virtual() -> tuple[RateLimiter, VirtualTime]:
    clock = VirtualTime()
    return RateLimiter(clock=clock.clock, sleep=clock.sleep), clock


async def test_a_channel_gets_20_messages_a_minute() -> None:
    limiter, clock = virtual()
    times = await times_of(limiter, clock, [CHANNEL] * 25)
    # A minute, plus a second's margin for the time a message takes to reach Telegram.
    assert times[:20] == [0.0] * 20 and times[20:] == [61.0] * 5
    limiter, clock = virtual()
    assert (await times_of(limiter, clock, ["@tintot"] * 21))[-1] == 61.0


async def test_the_channel_window_slides() -> None:
    limiter, clock = virtual()
    await times_of(limiter, clock, [CHANNEL] * 10)
    clock.now = 30.0
    times = await times_of(limiter, clock, [CHANNEL] * 15)
    assert times == [30.0] * 10 + [61.0] * 5


async def test_an_album_counts_each_item() -> None:
    limiter, clock = virtual()
    await limiter.acquire(CHANNEL, 10)
    clock.now = 30.0
    await limiter.acquire(CHANNEL, 5)
    assert clock.now == 30.0
    await limiter.acquire(CHANNEL, 10)  # 5 of the first album must leave the window
    assert clock.now == 61.0
    await limiter.acquire(CHANNEL, 10)  # 5 of those sent at 30 must leave too
    assert clock.now == 91.0
    await limiter.acquire(str(USER), 4)  # more than a private chat's burst: it needs it full
    await limiter.acquire(str(USER), 4)
    assert clock.now == 91.0 + 4.0  # three taken and one owed, then three more to refill


async def test_a_private_chat_gets_a_short_burst_then_one_message_a_second() -> None:
    limiter, clock = virtual()
    times = await times_of(limiter, clock, [str(USER)] * 5 + ["5002"])
    assert times == [0.0, 0.0, 0.0, 1.0, 2.0, 2.0]
    clock.now = 10.0  # a quiet while refills the burst, never beyond it
    assert await times_of(limiter, clock, [str(USER)] * 4) == [10.0, 10.0, 10.0, 11.0]


async def test_direct_replies_go_before_the_outbox_in_arrival_order() -> None:
    """With the global budget spent, waiting replies are served in the order they came, all
    before the outbox's sends that were waiting already."""
    clock = VirtualTime()
    limiter = RateLimiter(clock=clock.clock, sleep=asyncio.sleep)  # real yields, frozen time
    await times_of(limiter, clock, [str(7000 + n) for n in range(30)])  # the second is spent
    order: list[str] = []

    async def send(chat: str, urgent: bool) -> None:
        await limiter.acquire(chat, urgent=urgent)
        order.append(chat)

    tasks = [asyncio.create_task(send(f"-100{n}", False)) for n in range(3)]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(send(str(8000 + n), True)) for n in range(5)]
    await asyncio.sleep(0.01)
    assert order == []  # the budget is spent: everyone waits
    clock.now = 1.0
    await asyncio.gather(*tasks)
    assert order == [str(8000 + n) for n in range(5)] + [f"-100{n}" for n in range(3)]


async def test_at_most_30_messages_a_second_in_all() -> None:
    limiter, clock = virtual()
    times = await times_of(limiter, clock, [str(6000 + n) for n in range(65)])
    assert times == [0.0] * 30 + [1.0] * 30 + [2.0] * 5


async def test_random_429_500_and_hangs_drain_each_item_once(env: Env, fake: FakeTelegram) -> None:
    """A third of all sends meet a 429, a 500 or a hang past the timeout, at random, while
    the fake enforces the flood limits (a minute lasts 3 s here): the outbox drains; a post is
    sent once or, when a hang left it in doubt, shown to the editors and never sent again; a
    notice goes twice only when its first try hung; no send passes a flood limit."""
    users = [5101 + n for n in range(10)]
    for user in users:
        fake.push_text(user, "/start")
    fake.enforce_flood_limits(period=3.0)
    fake.chaos(0.33, seed=20261124, hang_seconds=1.5)
    worker = env.worker(timeout=1, clock=lambda: datetime.now(UTC), limiter=fast_limiter(20))
    env.clock.now = datetime.now(UTC)
    posts = [
        await env.enqueue("post", CHANNEL, "unknown_command.j2", command=f"p{n}", busy=False)
        for n in range(30)
    ]
    notices = [await env.enqueue("notice", user) for user in users]
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(1200):
            rows = [await env.row(item) for item in posts + notices]
            if all(row.status in ("sent", "needs_check", "failed") for row in rows):
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
    await fake.answered()  # a hung call is carried out late
    hits = Counter((kind, str(chat)) for kind, _, chat in fake.chaos_hits)
    assert {kind for kind, _ in hits} == {"429", "500", "hang"}, hits  # each fault happened
    assert fake.flood_429s == 0
    post_rows = [await env.row(item) for item in posts]
    sent = [row for row in post_rows if row.status == "sent"]
    in_doubt = [row for row in post_rows if row.status == "needs_check"]
    assert len(sent) + len(in_doubt) == len(posts)
    assert len(in_doubt) <= hits[("hang", CHANNEL)]
    texts = Counter(s.plain for s in env.sends(CHANNEL))
    assert set(texts.values()) == {1}  # never twice
    assert len(sent) <= len(texts) <= len(posts)
    for user in users:
        got = len(env.sends(user))
        assert 1 <= got <= 1 + hits[("hang", str(user))], (user, got)
    for row in [await env.row(item) for item in notices]:
        assert row.status == "sent"
