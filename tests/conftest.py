"""Fixtures: a fresh database per test on every backend, the fake Bot API, the bot under test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from tests.fake_telegram import FakeTelegram
from tests.harness import Harness

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"] if PG_URL else ["sqlite"]
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
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def bot(db_url: str, fake: FakeTelegram) -> AsyncIterator[Harness]:
    harness = Harness(db_url=db_url, fake=fake, now=FROZEN)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
        assert all(not drop for _, drop in fake.drop_pending_calls), "pending updates dropped"
