"""Scheduled jobs run in one worker at a time on PostgreSQL."""

from __future__ import annotations

from storage.db import make_engine, make_sessions
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
