"""The inbox runner: each sender's stored updates in order, one worker at a time; rows a dead
worker left are swept up; a row whose database was away is kept, not marked handled."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.runtime.app import App
from bot.runtime.inbox import InboxRunner
from handlers.engine.core import StoreUnavailable
from handlers.engine.types import Inbound
from storage import inbox, updates
from storage.clock import system as utcnow
from storage.models import Inbox, ProcessedUpdate


class Recorder:
    """A handler that notes what it handled; it can be made to find the database away."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.away = False
        self.running = 0
        self.most = 0

    async def __call__(self, raw: dict[str, Any]) -> None:
        if self.away:
            raise StoreUnavailable(str(raw["n"]))
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.01)
        self.seen.append(int(raw["n"]))
        self.running -= 1


async def store(runner: InboxRunner, n: int, sender: str = "telegram:1") -> None:
    await runner.store(f"telegram:{n}", {"n": n}, sender=sender, seq=n)


async def unhandled(app: App) -> list[str]:
    async with app.sessions() as session:
        query = select(Inbox.key).where(Inbox.handled_at == None)  # noqa: E711
        return sorted((await session.exec(query)).all())


async def test_one_senders_updates_in_order_by_one_runner_at_a_time(app: App) -> None:
    """Two runners (two workers) both told of the sender's rows, stored out of order."""
    record = Recorder()
    first = InboxRunner(app.sessions, app.locks, "telegram", record)
    second = InboxRunner(app.sessions, app.locks, "telegram", record)
    for n in (3, 1, 2):
        await store(first, n)
    await asyncio.gather(first.handle_sender("telegram:1"), second.handle_sender("telegram:1"))
    assert record.seen == [1, 2, 3] and record.most == 1
    assert await unhandled(app) == []


async def test_the_database_away_keeps_the_row_and_the_order(app: App) -> None:
    record = Recorder()
    runner = InboxRunner(app.sessions, app.locks, "telegram", record)
    await store(runner, 1)
    await store(runner, 2)
    record.away = True
    await runner.handle_sender("telegram:1")
    assert record.seen == [] and await unhandled(app) == ["telegram:1", "telegram:2"]
    record.away = False
    await runner.sweep(everything=True)
    assert record.seen == [1, 2] and await unhandled(app) == []


async def test_rows_a_dead_worker_left_are_swept_up(app: App) -> None:
    """Stored (the 200 went out), then the worker died: another worker's sweep handles them,
    but not rows that are only a moment old (their own worker is on them)."""
    record = Recorder()
    runner = InboxRunner(app.sessions, app.locks, "telegram", record)
    await store(runner, 1, "telegram:7")
    await store(runner, 2, "telegram:8")
    await runner.sweep()
    assert record.seen == []  # too fresh to be orphans
    await runner.sweep(everything=True)
    assert sorted(record.seen) == [1, 2]


async def test_a_handled_update_whose_answer_may_be_lost_is_answered_again(app: App) -> None:
    """The worker committed the update and died before sending the answer or marking the row:
    handling the row again asks the member's current question instead of doing nothing."""
    event = Inbound(
        platform="telegram", update_key="telegram:50", user_id="60", chat_id="60", command="start"
    )
    first = await app.core.handle(event)
    asked = [reply.say.template for reply in first if reply.choices]
    assert asked == ["unit_pick.j2"]
    assert await app.core.handle(event) == []  # a plain re-delivery: nothing
    async with app.sessions() as session, session.begin():
        await inbox.store(
            session,
            key="telegram:50",
            platform="telegram",
            payload={},
            sender="telegram:60",
            seq=50,
        )
    again = await app.core.handle(event)
    assert [reply.say.template for reply in again] == asked


async def test_handled_rows_are_forgotten_after_a_while_unhandled_never(app: App) -> None:
    runner = InboxRunner(app.sessions, app.locks, "telegram", Recorder())
    await store(runner, 1)
    await store(runner, 2, "telegram:2")
    async with app.sessions() as session, session.begin():
        await inbox.handled(session, key="telegram:1")
    async with app.sessions() as session, session.begin():
        assert await inbox.forget_handled(session, before=utcnow() - timedelta(days=3)) == 0
        assert await inbox.forget_handled(session, before=utcnow() + timedelta(seconds=1)) == 1
    async with app.sessions() as session:
        assert (await session.exec(select(Inbox.key))).all() == ["telegram:2"]


async def test_old_claims_are_dropped_and_recent_ones_still_stop_a_redelivery(app: App) -> None:
    event = Inbound(
        platform="telegram", update_key="telegram:70", user_id="71", chat_id="71", text="/start"
    )
    assert await app.core.handle(event)
    async with app.sessions() as session, session.begin():
        assert await updates.forget_claims(session, before=utcnow() - timedelta(days=3)) == 0
    assert await app.core.handle(event) == []  # still claimed: a re-delivery does nothing
    async with app.sessions() as session, session.begin():
        assert await updates.forget_claims(session, before=utcnow() + timedelta(seconds=1)) == 1
        assert (await session.exec(select(ProcessedUpdate))).all() == []
