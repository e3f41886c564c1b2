"""Fixtures: a fresh database per test on every backend, the fake Bot API, the bot under test."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

import asyncpg
import pytest
from hypothesis import settings

from tests.fake_graph import PAGE, TOKEN, FakeGraph
from tests.fake_telegram import FakeTelegram
from tests.fake_wordpress import FakeWordPress
from tests.fake_zalo import FakeZalo
from tests.harness import ADMIN, CHANNEL, ED1, ED2, EDITORS, Harness, free_port, settings_for
from tests.support.board import board_settings, serve_board

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"] if PG_URL else ["sqlite"]
# Property tests: CI draws the same examples on every run (a submission never fails on a random
# draw) and prints how to reproduce a failure; local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")
# 17/11/2026 09:00 in Vietnam: inside the calendar's "Nhà giáo trẻ" range (14-20/11).
FROZEN = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true" and not PG_URL:
        raise pytest.UsageError("CI runs the suite on PostgreSQL too: set TEST_POSTGRES_URL")


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'tintot.db'}"
        return
    assert PG_URL is not None
    server = PG_URL.replace("postgresql+asyncpg", "postgresql")
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin = await asyncpg.connect(server)  # anew: a fault test may have restarted the server
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with running(FakeTelegram()) as server:
        yield server


@pytest.fixture
async def bot(db_url: str, fake: FakeTelegram) -> AsyncIterator[Harness]:
    harness = Harness(db_url=db_url, fake=fake, now=FROZEN)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
        assert all(not drop for _, drop in fake.drop_pending_calls), "pending updates dropped"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    async with running(FakeZalo()) as server:
        yield server


class Startable(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


S = TypeVar("S", bound=Startable)


@contextlib.asynccontextmanager
async def running(thing: S) -> AsyncIterator[S]:
    """A bot or a fake server, started for the test and stopped after it."""
    await thing.start()
    try:
        yield thing
    finally:
        await thing.stop()


@pytest.fixture
async def desk(db_url: str, fake: FakeTelegram) -> AsyncIterator[Harness]:
    """The bot with its editors' group, an admin, two editors and a channel."""
    async with running(
        Harness(
            db_url=db_url,
            fake=fake,
            now=FROZEN,
            editor_chat_id=EDITORS,
            admin_ids=f"telegram:{ADMIN}",
            editor_ids=f"telegram:{ED1},telegram:{ED2}",
            publish_targets=f"telegram:{CHANNEL}",
        )
    ) as harness:
        yield harness


@pytest.fixture
async def both(db_url: str, fake: FakeTelegram, zalo: FakeZalo) -> AsyncIterator[Harness]:
    """Telegram and Zalo served at once (see ``settings_for``)."""
    async with running(Harness(db_url=db_url, fake=fake, now=FROZEN, **settings_for(zalo))) as h:
        yield h


@pytest.fixture
async def wp() -> AsyncIterator[FakeWordPress]:
    async with running(FakeWordPress()) as server:
        yield server


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    async with running(FakeGraph({PAGE: TOKEN})) as server:
        yield server


@pytest.fixture
async def board(db_url: str, fake: FakeTelegram) -> AsyncIterator[tuple[Harness, str]]:
    """The bot with its desk and the office's board served: (the bot, the board's base URL)."""
    port = free_port()
    harness = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        editor_chat_id=EDITORS,
        admin_ids=f"telegram:{ADMIN}",
        editor_ids=f"telegram:{ED1}",
        publish_targets=f"telegram:{CHANNEL}",
        **board_settings(port),
    )
    async with running(harness), serve_board(harness, port) as base:
        yield harness, base
