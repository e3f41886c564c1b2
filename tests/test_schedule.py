"""Posting slots, the "nothing queued" warning and the reminders, against a frozen clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.scheduler import run_scheduler
from handlers.engine.context import Deps
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.jobs import schedule
from handlers.jobs.schedule import slot_times, tick
from handlers.org import Kind, OrgConfig, Slots, load_org
from storage import outbox, units
from storage.db import make_engine, make_sessions, migrate
from storage.models import (
    Member,
    Outbox,
    OutboxKind,
    OutboxStatus,
    SlotRun,
    Status,
    Submission,
    UnitBase,
)
from tests.fake_base import PATIENCE

ORG = load_org(Path(__file__).resolve().parents[1] / "config" / "org.example.toml")
SLOTTED = ORG.model_copy(update={"slots": Slots(tin_tot="07:30", cau_chuyen_dep="sun 19:00")})
VN = ZoneInfo("Asia/Ho_Chi_Minh")
EDITORS = "-100200"
TUE_0730 = datetime(2026, 11, 17, 0, 30, tzinfo=UTC)  # Tuesday 07:30 in Vietnam
SUN_1900 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # Sunday 19:00 in Vietnam
MONDAY = datetime(2026, 11, 16, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "now", "latest", "following"),
    [
        ("tin_tot", TUE_0730, TUE_0730, utc(2026, 11, 18, 0, 30)),
        ("tin_tot", utc(2026, 11, 17, 0, 29), utc(2026, 11, 16, 0, 30), TUE_0730),
        # 23:00 UTC is already the next morning (06:00) in Vietnam: the slot is still ahead.
        ("tin_tot", utc(2026, 11, 16, 23, 0), utc(2026, 11, 16, 0, 30), TUE_0730),
        ("tin_tot", utc(2026, 12, 31, 20, 0), utc(2026, 12, 31, 0, 30), utc(2027, 1, 1, 0, 30)),
        ("cau_chuyen_dep", SUN_1900, SUN_1900, utc(2026, 11, 29, 12, 0)),
        ("cau_chuyen_dep", utc(2026, 11, 22, 11, 59), utc(2026, 11, 15, 12, 0), SUN_1900),
        # Monday 01:00 in Vietnam, still Sunday in UTC: last night's slot is the latest.
        ("cau_chuyen_dep", utc(2026, 11, 22, 18, 0), SUN_1900, utc(2026, 11, 29, 12, 0)),
        ("cau_chuyen_dep", utc(2026, 12, 31, 3, 0), utc(2026, 12, 27, 12, 0), utc(2027, 1, 3, 12)),
    ],
)
def test_slot_times(kind: Kind, now: datetime, latest: datetime, following: datetime) -> None:
    assert slot_times(SLOTTED, VN, kind, now) == (latest, following)


def test_slot_times_without_slots_and_across_daylight_saving() -> None:
    assert slot_times(ORG, VN, "tin_tot", TUE_0730) == (None, None)
    assert slot_times(ORG, VN, "cau_chuyen_dep", TUE_0730) == (None, None)
    berlin = ZoneInfo("Europe/Berlin")  # summer time starts on 29/03/2026
    latest, following = slot_times(SLOTTED, berlin, "tin_tot", utc(2026, 3, 28, 12))
    assert (latest, following) == (utc(2026, 3, 28, 6, 30), utc(2026, 3, 29, 5, 30))


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[Sessions]:
    engine = make_engine(db_url)
    await migrate(engine)
    factory = make_sessions(engine)
    async with factory() as session, session.begin():
        rows = [UnitBase(code=u.code, name=u.name, parent_code=u.parent) for u in ORG.units]
        await units.sync(session, units=rows)
        session.add(Member(id=1, platform="telegram", platform_user_id="7", chat_id="7"))
    yield factory
    await engine.dispose()


def deps(org: OrgConfig = SLOTTED, editor_chat: str | None = EDITORS) -> Deps:
    return Deps(org=org, tz=VN, editor_chat=editor_chat, editor_platform="telegram")


async def add(
    sessions: Sessions,
    kind: str,
    *,
    status: Status = Status.APPROVED,
    decided: datetime | None = None,
    submitted: datetime = MONDAY,
) -> int:
    """A submission; approved ones get their posts held for a slot, one per target."""
    async with sessions() as session, session.begin():
        sub = Submission(
            member_id=1,
            kind=kind,
            unit_code="p-anlac",
            status=status,
            submitted_at=submitted,
            decided_at=decided,
        )
        session.add(sub)
        await session.flush()
        assert sub.id is not None
        if status == Status.APPROVED:
            for platform, chat in (("telegram", "-100300"), ("zalo", "abc")):
                await outbox.enqueue(
                    session,
                    key=f"post:{sub.id}:{platform}:{chat}",
                    kind=OutboxKind.POST,
                    platform=platform,
                    chat_id=chat,
                    submission_id=sub.id,
                    status=OutboxStatus.WAITING,
                )
        return sub.id


async def run(sessions: Sessions, now: datetime, d: Deps | None = None) -> None:
    async with sessions() as session, session.begin():
        await tick(session, deps=d or deps(), now=now)


async def rows(sessions: Sessions, kind: str) -> list[Outbox]:
    async with sessions() as session:
        query = select(Outbox).where(Outbox.kind == kind).order_by(col(Outbox.id))
        return list((await session.exec(query)).all())


async def released(sessions: Sessions) -> dict[int, list[str]]:
    """Queued posts by submission: what a slot let go."""
    out: dict[int, list[str]] = {}
    for row in await rows(sessions, "post"):
        if row.status == OutboxStatus.QUEUED:
            out.setdefault(row.submission_id or 0, []).append(row.platform)
    return out


async def slot_runs(sessions: Sessions) -> list[SlotRun]:
    async with sessions() as session:
        return list((await session.exec(select(SlotRun))).all())


async def test_one_item_per_slot_oldest_approved_first(sessions: Sessions) -> None:
    later = await add(sessions, "tin_tot", decided=utc(2026, 11, 16, 10))
    older = await add(sessions, "tin_tot", decided=utc(2026, 11, 16, 9))
    story = await add(sessions, "cau_chuyen_dep", decided=utc(2026, 11, 16, 8))
    await run(sessions, TUE_0730 - timedelta(minutes=1))
    assert await released(sessions) == {}
    await run(sessions, TUE_0730)
    assert await released(sessions) == {older: ["telegram", "zalo"]}
    await run(sessions, TUE_0730 + timedelta(hours=6))
    assert set(await released(sessions)) == {older}
    await run(sessions, TUE_0730 + timedelta(days=1, seconds=20))
    assert set(await released(sessions)) == {older, later}
    await run(sessions, SUN_1900)
    assert set(await released(sessions)) == {older, later, story}
    keys = {(run.key, run.submission_id) for run in await slot_runs(sessions)}
    assert ("slot:tin_tot:2026-11-17T00:30+00:00", older) in keys
    assert ("slot:cau_chuyen_dep:2026-11-22T12:00+00:00", story) in keys


async def test_repeated_and_concurrent_ticks_release_once(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await add(sessions, "tin_tot", decided=utc(2026, 11, 16, 9))
    second = await add(sessions, "tin_tot", decided=utc(2026, 11, 16, 10))
    await add(sessions, "tin_tot", decided=utc(2026, 11, 16, 11))
    await run(sessions, TUE_0730)
    await run(sessions, TUE_0730 + timedelta(seconds=30))
    assert set(await released(sessions)) == {first}

    # Two workers at the next slot, the worst interleaving: both find the slot unserved, then
    # one serves it and commits before the other picks (and so picks the next item).
    arrived, both_in, one_done = 0, asyncio.Event(), asyncio.Event()
    pick = schedule._first_waiting

    async def racing_pick(session: AsyncSession, kind: str) -> int | None:
        nonlocal arrived
        arrived += 1
        order = arrived
        if arrived == 2:
            both_in.set()
        await both_in.wait()
        if order == 2:
            await one_done.wait()
        return await pick(session, kind)

    async def worker() -> None:
        await run(sessions, TUE_0730 + timedelta(days=1))
        one_done.set()

    monkeypatch.setattr(schedule, "_first_waiting", racing_pick)
    await asyncio.wait_for(asyncio.gather(worker(), worker()), PATIENCE)
    assert set(await released(sessions)) == {first, second}
    assert len(await slot_runs(sessions)) == 2


async def test_a_slot_is_served_late_only_within_its_grace(sessions: Sessions) -> None:
    news = await add(sessions, "tin_tot", decided=utc(2026, 11, 16))
    story = await add(sessions, "cau_chuyen_dep", decided=utc(2026, 11, 16))
    await run(sessions, TUE_0730 + timedelta(hours=12, minutes=1))  # 19:31, the bot was down
    assert await released(sessions) == {} and await slot_runs(sessions) == []
    await run(sessions, SUN_1900 + timedelta(days=2))  # Tuesday: only that morning's slot
    assert set(await released(sessions)) == {news}
    await run(sessions, SUN_1900 + timedelta(days=7, hours=15))  # restarted the next morning
    assert set(await released(sessions)) == {news, story}


async def test_warning_once_when_nothing_waits(sessions: Sessions) -> None:
    await run(sessions, TUE_0730 - timedelta(minutes=121))
    assert await rows(sessions, "notice") == []
    await run(sessions, TUE_0730 - timedelta(minutes=90))
    await run(sessions, TUE_0730 - timedelta(minutes=60))
    notices = await rows(sessions, "notice")
    assert [(n.key, n.chat_id, n.platform, n.template) for n in notices] == [
        ("warn:tin_tot:2026-11-17T00:30+00:00", EDITORS, "telegram", "notice/slot_empty.j2")
    ]
    assert notices[0].context == {"kind": "tin_tot", "slot": "07:30 17/11/2026"}
    await run(sessions, SUN_1900 - timedelta(minutes=30), deps(editor_chat=None))
    assert len(await rows(sessions, "notice")) == 1


async def test_no_warning_when_something_waits(sessions: Sessions) -> None:
    await add(sessions, "cau_chuyen_dep", decided=utc(2026, 11, 20))
    await run(sessions, SUN_1900 - timedelta(minutes=30))
    assert await rows(sessions, "notice") == []


async def test_without_slots_tick_does_nothing(sessions: Sessions) -> None:
    await add(sessions, "tin_tot", decided=utc(2026, 11, 16))
    for now in (TUE_0730 - timedelta(minutes=30), TUE_0730, SUN_1900):
        await run(sessions, now, deps(ORG))
    assert await released(sessions) == {} and await slot_runs(sessions) == []
    assert await rows(sessions, "notice") == []


async def test_reminders_once_a_day(sessions: Sessions) -> None:
    now = utc(2026, 11, 17, 2)  # 09:00 in Vietnam
    old = await add(sessions, "tin_tot", status=Status.PENDING, submitted=now - timedelta(hours=30))
    older = await add(
        sessions, "cau_chuyen_dep", status=Status.PENDING, submitted=now - timedelta(hours=40)
    )
    await add(sessions, "tin_tot", status=Status.PENDING, submitted=now - timedelta(hours=10))
    await run(sessions, now, deps(ORG))
    await run(sessions, now + timedelta(hours=2), deps(ORG))
    notices = await rows(sessions, "notice")
    assert [(n.key, n.template) for n in notices] == [("remind:2026-11-17", "notice/reminder.j2")]
    assert notices[0].context == {
        "items": [
            {"id": older, "kind": "cau_chuyen_dep", "unit_code": "p-anlac", "hours": 40},
            {"id": old, "kind": "tin_tot", "unit_code": "p-anlac", "hours": 30},
        ]
    }
    async with sessions() as session:
        assert (await session.get(Submission, old)).reminded_at == now  # type: ignore[union-attr]
    await run(sessions, now + timedelta(hours=25), deps(ORG))
    notices = await rows(sessions, "notice")
    assert [n.key for n in notices] == ["remind:2026-11-17", "remind:2026-11-18"]
    items = notices[1].context["items"]
    assert isinstance(items, list) and [item["hours"] for item in items] == [65, 55, 35]


async def test_scheduler_survives_a_failed_tick(sessions: Sessions) -> None:
    await add(sessions, "tin_tot", decided=utc(2026, 11, 16))
    calls = 0

    def clock() -> datetime:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("clock hiccup")
        return TUE_0730

    stop = asyncio.Event()
    task = asyncio.create_task(
        run_scheduler(sessions, Deps(org=SLOTTED, tz=VN, clock=clock), stop, every=0.01)
    )
    for _ in range(int(PATIENCE / 0.01)):
        if await released(sessions):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, PATIENCE)
    assert len(await released(sessions)) == 1 and calls >= 2


@pytest.mark.parametrize("markup", ["html", "plain"])
@pytest.mark.parametrize(
    ("template", "ctx", "expected"),
    [
        ("notice/slot_empty.j2", {"kind": "tin_tot", "slot": "07:30 17/11/2026"}, "Tin tốt"),
        ("notice/slot_empty.j2", {"kind": "cau_chuyen_dep", "slot": "19:00"}, "mỗi tuần"),
        (
            "notice/reminder.j2",
            {"items": [{"id": 5, "kind": "tin_tot", "unit_code": "a<b>&c", "hours": 30}]},
            "#5",
        ),
    ],
)
def test_templates_render(
    markup: str, template: str, ctx: dict[str, object], expected: str
) -> None:
    text = render(Say(template, ctx), markup)  # type: ignore[arg-type]
    assert expected in text and "/choduyet" in text
    if markup == "html":
        assert "<b>" in text and "<b>&c" not in text
        if template == "notice/reminder.j2":
            assert "a&lt;b&gt;&amp;c" in text and "chờ 30 giờ" in text
    else:
        assert "<b" not in text.replace("a<b>&c", "")
