"""Abandoned drafts with a frozen clock: told once, never removed early, kept by any activity
after the warning, removed after the retention (media too), the member then starting clean;
and the notice's button on Telegram and on Zalo."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.app import make_deps
from bot.runtime.scheduler import run_scheduler
from bot.serve.compose import platforms
from bot.settings import Settings, describe_error
from handlers.engine.context import Deps
from handlers.org import load_org
from handlers.privacy import retention
from storage.db import make_engine, make_sessions, migrate
from storage.models import Ban, Media, Member, Outbox, Status, Submission
from tests.conftest import FROZEN
from tests.fake_base import PATIENCE
from tests.harness import ORG, Harness, settings_for
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.flows import ZaloChat

T0 = datetime(2026, 10, 1, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
DAY = timedelta(days=1)
DEPS = Deps(org=load_org(ORG), tz=ZoneInfo("Asia/Ho_Chi_Minh"))  # 30 days, told 7 before
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[Sessions]:
    engine = make_engine(db_url)
    await migrate(engine)
    try:
        yield make_sessions(engine)
    finally:
        await engine.dispose()


async def drafting(
    sessions: Sessions, user: str, idle_since: datetime, status: Status = Status.DRAFT
) -> int:
    """A member whose draft (or supplement) was last touched at ``idle_since``."""
    async with sessions() as session, session.begin():
        member = Member(platform="telegram", platform_user_id=user, chat_id=user, step="dia_diem")
        session.add(member)
        await session.flush()
        draft = Submission(member_id=member.id or 0, kind="tin_tot", status=status)
        draft.thoi_gian, draft.updated_at = "Sáng 15/11", idle_since
        session.add(draft)
        await session.flush()
        session.add(
            Media(
                submission_id=draft.id or 0,
                kind="photo",
                ref=f"P{user}",
                platform="telegram",
                source_key=f"m{user}",
            )
        )
        member.draft_id, member.updated_at = draft.id, idle_since
        return draft.id or 0


async def purge(sessions: Sessions, now: datetime, deps: Deps = DEPS) -> tuple[int, int]:
    async with sessions() as session, session.begin():
        return await retention.purge(session, deps=deps, now=now)


async def touch(sessions: Sessions, user: str, at: datetime) -> None:
    """The member answered a question at ``at``."""
    async with sessions() as session, session.begin():
        await session.exec(
            update(Member).where(col(Member.platform_user_id) == user).values(updated_at=at)
        )


async def alive(sessions: Sessions) -> set[int]:
    async with sessions() as session:
        return {sid for sid in (await session.exec(select(Submission.id))).all() if sid}


async def notices(sessions: Sessions) -> list[Outbox]:
    async with sessions() as session:
        query = select(Outbox).where(Outbox.template == "notice/draft_purge.j2")
        return list((await session.exec(query.order_by(col(Outbox.id)))).all())


def test_the_warning_comes_a_week_before_or_halfway() -> None:
    assert retention.lead(timedelta(days=30)) == timedelta(days=7)
    assert retention.lead(timedelta(days=14)) == timedelta(days=7)
    assert retention.lead(timedelta(days=2)) == timedelta(days=1)


def test_the_retention_is_a_setting() -> None:
    settings = Settings(_env_file=None, org_config=ORG, draft_retention_days=45)
    deps = make_deps(settings, DEPS.org, DEPS.clock, platforms())
    assert deps.draft_retention == timedelta(days=45)
    assert Settings(_env_file=None, org_config=ORG).draft_retention_days == 30
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None, org_config=ORG, draft_retention_days=0)
    assert describe_error(error.value)[0] == "DRAFT_RETENTION_DAYS"


async def test_warned_once_then_removed(sessions: Sessions) -> None:
    lan = await drafting(sessions, "1", T0)
    busy = await drafting(sessions, "2", T0 + 20 * DAY)
    asked = await drafting(sessions, "3", T0, Status.NEEDS_INFO)  # a supplement: not a draft
    banned = await drafting(sessions, "4", T0)
    async with sessions() as session, session.begin():
        session.add(Ban(platform="telegram", user_id="4", banned_by="telegram:9"))
        given_up = Submission(member_id=1, kind="tin_tot", status=Status.CANCELLED, updated_at=T0)
        recent = Submission(
            member_id=1, kind="tin_tot", status=Status.DRAFT, updated_at=T0 + 9 * DAY
        )
        session.add_all([given_up, recent])
        await session.flush()

    assert await purge(sessions, T0 + 23 * DAY - timedelta(minutes=1)) == (0, 0)
    assert await purge(sessions, T0 + 23 * DAY) == (1, 0)
    [notice] = await notices(sessions)
    assert (notice.platform, notice.chat_id, notice.submission_id) == ("telegram", "1", None)
    assert notice.context["day"] == "31/10/2026" and notice.context["kind"] == "tin_tot"
    assert notice.context["choices"] == [[["✍️ Giữ bản nháp, soạn tiếp", f"keepdraft:{lan}:"]]]
    assert await purge(sessions, T0 + 23 * DAY + timedelta(hours=1)) == (0, 0)  # told once
    assert await purge(sessions, T0 + 30 * DAY - timedelta(minutes=1)) == (0, 0)  # not early

    assert await purge(sessions, T0 + 30 * DAY) == (0, 3)  # Lan's, the banned one's, /huy's
    left = await alive(sessions)
    assert lan not in left and banned not in left and {busy, asked} <= left
    assert given_up.id not in left and recent.id in left  # a recent orphan waits its turn
    async with sessions() as session:
        member = (await session.exec(select(Member).where(Member.platform_user_id == "1"))).one()
        media = (await session.exec(select(Media.ref).order_by(col(Media.ref)))).all()
    assert (member.draft_id, member.step, member.step_data) == (None, "idle", {})
    assert media == ["P2", "P3"]
    assert len(await notices(sessions)) == 1  # the banned member was never written to


async def test_activity_after_the_warning_keeps_the_draft(sessions: Sessions) -> None:
    draft = await drafting(sessions, "1", T0)
    assert await purge(sessions, T0 + 23 * DAY) == (1, 0)
    await touch(sessions, "1", T0 + 25 * DAY)  # read the notice and carried on
    assert await purge(sessions, T0 + 40 * DAY) == (0, 0)
    assert await purge(sessions, T0 + 48 * DAY) == (1, 0)  # idle again: told again
    assert len(await notices(sessions)) == 2
    assert await purge(sessions, T0 + 55 * DAY - timedelta(minutes=1)) == (0, 0)
    assert await purge(sessions, T0 + 55 * DAY) == (0, 1)
    assert draft not in await alive(sessions)


async def test_a_short_retention_warns_halfway(sessions: Sessions) -> None:
    await drafting(sessions, "1", T0)
    short = Deps(org=DEPS.org, tz=DEPS.tz, draft_retention=2 * DAY)
    assert await purge(sessions, T0 + DAY, short) == (1, 0)
    [notice] = await notices(sessions)
    assert notice.context["day"] == "03/10/2026"
    assert await purge(sessions, T0 + 2 * DAY, short) == (0, 1)


async def test_the_scheduler_runs_the_purge(sessions: Sessions) -> None:
    await drafting(sessions, "1", T0)
    stop = asyncio.Event()
    deps = Deps(org=DEPS.org, tz=DEPS.tz, clock=lambda: T0 + 24 * DAY)
    task = asyncio.create_task(run_scheduler(sessions, deps, stop, every=0.01))
    for _ in range(int(PATIENCE / 0.01)):
        if await notices(sessions):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, PATIENCE)
    assert len(await notices(sessions)) == 1


async def backdate(bot: Harness, platform: str, user: str, days: int) -> None:
    """As if the member had last answered ``days`` ago."""
    assert bot.app is not None
    member = await bot.member_row_platform(platform, user)
    then = bot.now - days * DAY
    async with bot.app.sessions() as session, session.begin():
        await session.exec(
            update(Member).where(col(Member.id) == member.id).values(updated_at=then)
        )
        await session.exec(
            update(Submission).where(col(Submission.id) == member.draft_id).values(updated_at=then)
        )


async def purge_now(bot: Harness, later: timedelta = timedelta(0)) -> tuple[int, int]:
    assert bot.app is not None
    async with bot.app.sessions() as session, session.begin():
        return await retention.purge(session, deps=bot.app.core.deps, now=bot.now + later)


async def test_telegram_member_told_keeps_then_loses_the_draft(bot: Harness) -> None:
    lan = bot.member(1401, "Lan")
    await lan.register()
    await lan.send("/gui", "Bạn muốn gửi gì")
    await lan.press("Tin tốt", "Bước 2")
    await lan.press("Thông tin thô", "Thời gian")
    await backdate(bot, "telegram", "1401", 24)
    mark = bot.fake.mark()
    assert await purge_now(bot) == (1, 0)
    notice = await lan.reply("đang soạn dở", after=mark)
    assert "Tin tốt" in (notice.plain or "")
    await lan.press("Giữ bản nháp", "Đã giữ bản nháp")
    await bot.fake.wait_for(1401, "Thời gian")  # the question where it stood
    assert await purge_now(bot, 8 * DAY) == (0, 0)  # active after the warning

    mark = bot.fake.mark()  # then abandoned for good
    assert await purge_now(bot, 24 * DAY) == (1, 0)  # told again: it was used after the first
    await lan.reply("đang soạn dở", after=mark)
    assert await purge_now(bot, 30 * DAY) == (0, 0)  # a week's notice, even when idle for 30
    assert await purge_now(bot, 31 * DAY) == (0, 1)
    assert await bot.submissions() == []
    idle = await lan.send("Sáng 15/11")  # no question is waiting any more
    assert "Để gửi tin tốt" in (idle.plain or "")
    await lan.send("/gui", "Bạn muốn gửi gì")  # a clean start, no "draft open"


async def test_zalo_member_keeps_the_draft_by_number(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    bot = Harness(db_url=db_url, fake=fake, now=FROZEN, **settings_for(zalo))
    await bot.start()
    try:
        ha = ZaloChat(zalo, "zu-1401")
        await ha.send("/start", "Chọn đơn vị")
        await ha.send("2", "Đã lưu đơn vị")
        await ha.send("/gui", "Bạn muốn gửi gì")
        await ha.send("1", "Bước 2")
        await ha.send("2", "Thời gian")
        await backdate(bot, "zalo", "zu-1401", 24)
        assert await purge_now(bot) == (1, 0)
        notice = await zalo.wait_for("zu-1401", "đang soạn dở")
        assert "1. ✍️ Giữ bản nháp" in (notice.text or "")
        await ha.send("1", "Đã giữ bản nháp")
        assert await purge_now(bot, 8 * DAY) == (0, 0)
        [draft] = await bot.submissions()
        assert draft.status == Status.DRAFT and draft.purge_warned_at is not None
    finally:
        await bot.stop()
