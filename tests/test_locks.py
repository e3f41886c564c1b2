"""Scheduled jobs run in one worker at a time on PostgreSQL; on SQLite, the process's
writers take turns in arrival order, and a long wait names who held the lock."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from storage import db
from storage.db import make_engine, make_sessions, writing
from storage.locks import try_job_lock


async def test_one_worker_holds_the_job_lock(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessions(engine)
    try:
        async with sessions() as first, first.begin():
            assert await try_job_lock(first, name="job")
            async with sessions() as second, second.begin():
                taken = await try_job_lock(second, name="job")
                # PostgreSQL: the second worker is refused while the first holds it. SQLite is
                # one process, where the lock always succeeds.
                assert taken is (engine.dialect.name != "postgresql")
        async with sessions() as third, third.begin():
            assert await try_job_lock(third, name="job")  # released with the transaction
    finally:
        await engine.dispose()


async def test_sqlite_writers_take_turns_in_order_and_a_long_wait_names_the_holder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SLOW_LOCK", -1.0)  # every wait counts as long here
    caplog.set_level(logging.WARNING, logger="storage.db")
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/w.db")
    sessions = make_sessions(engine)
    order: list[str] = []

    async def write(name: str) -> None:
        async with writing(sessions, name):
            order.append(name)
            await asyncio.sleep(0)  # the others are waiting meanwhile

    try:
        async with writing(sessions, "outbox telegram"):
            waiting = [asyncio.create_task(write(f"update {n}")) for n in range(5)]
            await asyncio.sleep(0.01)
            assert order == []  # nobody writes while the outbox holds the lock
        await asyncio.gather(*waiting)
    finally:
        await engine.dispose()
    assert order == [f"update {n}" for n in range(5)]
    assert "update 0 waited" in caplog.text and "held by outbox telegram" in caplog.text
