"""Fixtures: a fresh database per test on every backend, the fake Bot API, the bot under test."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

import asyncpg
import pytest
from hypothesis import settings

from bot.runtime.app import App
from bot.serve.compose import build
from storage.db import make_engine, migrate
from tests.harness import (
    ADMIN,
    CHANNEL,
    ED1,
    ED2,
    EDITORS,
    Harness,
    free_port,
    make_settings,
    settings_for,
)
from tests.platforms.facebook.fake_graph import PAGE, TOKEN, FakeGraph
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.wordpress.fake_wordpress import FakeWordPress
from tests.platforms.zalo.fake_zalo import FakeZalo
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


@pytest.hookimpl(trylast=True)  # after -m has deselected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    parallel = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1
    alone = [item.nodeid for item in items if item.get_closest_marker("alone")]
    if parallel and alone and os.environ.get("TEST_POSTGRES_CTL"):
        raise pytest.UsageError(
            f"{alone[0]} restarts the server the other workers use: run -m 'not alone' "
            "in parallel, then -m alone by itself (as scripts/test.sh does)"
        )


@dataclass(frozen=True)
class Templates:
    """A database per backend migrated once for the session: each test starts from a copy, as
    a bot starts on a database an earlier start brought up to date (the migrations themselves
    run on empty databases in tests/test_migrations.py and tests/test_scale.py)."""

    sqlite: Path
    postgres: str | None  # the template database's name on the server


def _server() -> str:
    assert PG_URL is not None
    return PG_URL.replace("postgresql+asyncpg", "postgresql")


def _url(name: str) -> str:
    assert PG_URL is not None
    return f"{PG_URL.rsplit('/', 1)[0]}/{name}"


async def _migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()  # no connection left: SQLite folds its WAL in, PostgreSQL copies


async def _drop(name: str) -> None:
    admin = await asyncpg.connect(_server())  # anew: a fault test may have restarted the server
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _create(name: str, template: str | None = None) -> None:
    admin = await asyncpg.connect(_server())
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def _database(template: str | None = None) -> AsyncIterator[str]:
    """A database of its own on the test server (named per test, so that pytest-xdist's
    workers never meet), empty or a copy of ``template``; dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    await _create(name, template)
    try:
        yield _url(name)
    finally:
        await _drop(name)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    sqlite = tmp_path_factory.mktemp("template") / "tintot.db"
    asyncio.run(_migrated(f"sqlite+aiosqlite:///{sqlite}"))
    postgres = None
    if PG_URL:
        postgres = f"template_{uuid.uuid4().hex[:16]}"
        asyncio.run(_create(postgres))
        asyncio.run(_migrated(_url(postgres)))
    try:
        yield Templates(sqlite, postgres)
    finally:
        if postgres:
            asyncio.run(_drop(postgres))


@pytest.fixture(params=BACKENDS)
async def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, templates: Templates
) -> AsyncIterator[str]:
    """A fresh database with the schema at head, the copy of the session's template."""
    if request.param == "sqlite":
        path = tmp_path / "tintot.db"
        await asyncio.to_thread(shutil.copyfile, templates.sqlite, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    async with _database(templates.postgres) as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh empty database, for the tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'tintot.db'}"
        return
    async with _database() as url:
        yield url


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with running(FakeTelegram()) as server:
        yield server


@pytest.fixture
async def app(db_url: str, fake: FakeTelegram) -> AsyncIterator[App]:
    """The bot built on the test's database, nothing served: for tests that hand events to
    ``app.core`` directly (tests/support/core.py)."""
    application = await build(make_settings(db_url, fake))
    yield application
    await application.close()


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


@pytest.fixture
async def pages_graph() -> AsyncIterator[FakeGraph]:
    """The Graph API with the organisation's page and two units' own pages (#23)."""
    from tests.support.pages import UNIT_PAGES

    async with running(FakeGraph({PAGE: TOKEN, **UNIT_PAGES})) as server:
        yield server
