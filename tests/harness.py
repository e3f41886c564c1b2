"""The bot under test: the real app and aiogram polling against the fake Bot API, plus a
member who chats with it the way a person would."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import socket
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.runtime.app import App
from bot.runtime.media import MediaSource
from bot.serve.compose import build
from bot.serve.keeper import Backoff, Startup
from bot.serve.runner import serve
from bot.settings import Settings
from storage.models import Member, Submission
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram, Sent
from tests.platforms.zalo.fake_zalo import ZALO_TOKEN, FakeZalo

ORG = Path(__file__).resolve().parents[1] / "config" / "org.example.toml"
# The editors' desk most end-to-end tests use: their group, the channel, who is who.
EDITORS, CHANNEL = -100777, -100555
ADMIN, ED1, ED2, STRANGER = 9001, 9002, 9003, 9999
ZALO_EDITOR = "ed-zalo-01"


def make_settings(db_url: str, fake: FakeTelegram, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "telegram_bot_token": TOKEN,
        "telegram_api_base": fake.base_url,
        "org_config": ORG,
        # Replies are paced at once a second per chat in production; tests of the flow need
        # not wait for it (tests/test_flood.py checks the pace).
        "telegram_chat_pace": 0.0,
        # The fake servers' photo URLs are on 127.0.0.1, which a real bot refuses to fetch.
        "media_fetch_allow_hosts": "127.0.0.1",
    }
    if "webhook_port" not in extra:  # the web site on any free port: tests run side by side
        values["web_port"] = 0
    return Settings(_env_file=None, **(values | extra))


def settings_for(zalo: FakeZalo, **extra: Any) -> dict[str, Any]:
    """Zalo beside Telegram: a Zalo editor next to the Telegram group and channel."""
    return {
        "zalo_bot_token": ZALO_TOKEN,
        "zalo_api_base": zalo.base_url,
        "editor_chat_id": EDITORS,
        "editor_ids": f"telegram:{ED1},zalo:{ZALO_EDITOR}",
        "publish_targets": f"telegram:{CHANNEL}",
        **extra,
    }


def org_file(folder: Path, section: str, lines: str) -> Path:
    """The example organisation file with ``lines`` added under ``[section]``."""
    path = folder / "org.toml"
    text = ORG.read_text(encoding="utf-8").replace(f"[{section}]\n", f"[{section}]\n{lines}\n")
    path.write_text(text, encoding="utf-8")
    return path


# Ports a test server listens on, taken below the kernel's ephemeral range (32768 and up on
# Linux): a port from there, free when looked at, can be taken as the local end of any outgoing
# connection (a database client, an HTTP call) before the server binds it. Each pytest-xdist
# worker draws from its own slice, so two workers never pick the same port.
_SLICE = 1000
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_ports = itertools.cycle(range(_SLICE))
_offset = random.randrange(_SLICE)  # another run on the same machine starts elsewhere


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now and no outgoing connection will take."""
    base = 10_000 + (_worker % 22) * _SLICE
    for _ in range(_SLICE):
        port = base + (_offset + next(_ports)) % _SLICE
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {base}..{base + _SLICE - 1}")


class MovingClock:
    """The bot's one clock in a test: set to a moment, then moving on with real time as a
    deployed bot's does (a clock standing still would never reach a retry's not_before)."""

    def __init__(self, at: datetime) -> None:
        self.set(at)

    def set(self, at: datetime) -> None:
        self.at, self.since = at, time.monotonic()

    def __call__(self) -> datetime:
        return self.at + timedelta(seconds=time.monotonic() - self.since)


class Harness:
    def __init__(
        self,
        *,
        db_url: str,
        fake: FakeTelegram,
        now: datetime,
        media: MediaSource | None = None,
        **extra: Any,
    ) -> None:
        self.fake, self.media = fake, media
        self.clock = MovingClock(now)
        self.settings = make_settings(db_url, fake, **extra)
        self.app: App | None = None
        self.task: asyncio.Task[None] | None = None
        # A platform that cannot start is tried again: quickly here, minutes apart for real.
        self.backoff = Backoff(first=0.05, cap=0.4)

    async def start(self) -> None:
        self.app = await build(self.settings, clock=self.clock, media=self.media)
        startup = Startup()
        serving = serve(self.app, handle_signals=False, backoff=self.backoff, startup=startup)
        # Counted before the start: its first poll may come before every platform was tried.
        polled = sum(method == "getUpdates" for method, _ in self.fake.calls)
        self.task = asyncio.create_task(serving)
        # Platforms start beside the scheduler's first tick (bot/serve/keeper.py): a story
        # begins once each was tried (signed in, its sender and page reader there; or failed,
        # tried again later), and a test's first message waits for the bot's first poll. A
        # platform that hangs at its start lets the story go on after a short wait; one that
        # could not start (a story of a refused token) never polls, and is not waited for.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(startup.tried.wait(), timeout=5.0)
        polls = "telegram" in startup.serving or not startup.tried.is_set()
        if polls and self.settings.telegram_bot_token and not self.settings.telegram_webhook_url:
            with contextlib.suppress(TimeoutError):
                await self.fake.until(
                    lambda: sum(m == "getUpdates" for m, _ in self.fake.calls) > polled,
                    timeout=5.0,
                )

    async def stop(self) -> None:
        """Stop abruptly, like a crash between two updates: no goodbye, no cleanup of state."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.app is not None:
            await self.app.close()
        self.task, self.app = None, None

    @property
    def now(self) -> datetime:
        return self.clock()

    @now.setter
    def now(self, at: datetime) -> None:
        """The story moves the clock. A worker waiting for a row's time waits on the clock as
        it was (an idle outbox worker up to its look, 5 s on SQLite): rung, as if that time
        had come while it slept."""
        self.clock.set(at)
        if self.app is not None:
            self.app.bell.ring()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def member(self, user_id: int, name: str = "Lan", username: str | None = "lan_dv") -> Chat:
        return Chat(self.fake, user_id, name, username)

    async def submissions(self) -> list[Submission]:
        from sqlmodel import col, select

        assert self.app is not None
        async with self.app.sessions() as session:
            rows = await session.exec(select(Submission).order_by(col(Submission.id)))
            return list(rows.all())

    async def member_row(self, user_id: int) -> Member:
        return await self.member_row_platform("telegram", str(user_id))

    async def member_row_platform(self, platform: str, user_id: str) -> Member:
        from sqlmodel import select

        assert self.app is not None
        async with self.app.sessions() as session:
            query = select(Member).where(
                Member.platform == platform, Member.platform_user_id == user_id
            )
            return (await session.exec(query)).one()


class Chat:
    """One member's private chat with the bot."""

    def __init__(self, fake: FakeTelegram, user_id: int, name: str, username: str | None) -> None:
        self.fake, self.id, self.name, self.username = fake, user_id, name, username

    async def send(self, text: str, expect: str | None = None) -> Sent:
        mark = self.fake.mark()
        self.fake.push_text(self.id, text, first_name=self.name, username=self.username)
        return await self.reply(expect, after=mark)

    async def press(self, label: str, expect: str | None = None) -> Sent:
        mark = self.fake.mark()
        self.fake.press(self.id, label)
        return await self.reply(expect, after=mark)

    async def reply(self, expect: str | None, *, after: int) -> Sent:
        """The bot's next message (a keyboard taken off an old message does not count)."""
        while True:
            sent = await self.fake.wait_for(self.id, expect, after=after)
            if sent.method != "editMessageReplyMarkup":
                return sent
            after = self.fake.sent.index(sent) + 1

    async def register(self, unit_label: str = "Đoàn phường An Lạc") -> None:
        """/start and choose the unit, turning the pages of the list like a person."""
        await self.send("/start", "Chọn đơn vị")
        for _ in range(5):
            try:
                await self.press(unit_label, "Đã lưu đơn vị")
                return
            except AssertionError:
                await self.press("Trang sau", "Chọn đơn vị")
        raise AssertionError(f"no unit {unit_label!r} on any page")

    async def start_raw(self) -> Sent:
        """/gui, Tin tốt, Thông tin thô: the first of the five questions (Thời gian)."""
        await self.send("/gui", "Bạn muốn gửi gì")
        await self.press("Tin tốt", "Bước 2")
        return await self.press("Thông tin thô", "Thời gian")

    async def raw_answers(self, answers: list[str]) -> None:
        for answer in answers:
            await self.send(answer)
