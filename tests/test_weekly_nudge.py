"""The weekly nudge to units: on its day and hour, each unit with nothing published or waiting
this week has its contacts told, once a week; a unit that published is left alone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from handlers.engine.context import Deps
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.jobs.weekly_nudge import units as nudge_units
from handlers.org import Reports, load_org
from storage import contacts, units
from storage.db import make_engine, make_sessions, migrate
from storage.models import Member, Outbox, Status, Submission, UnitBase
from tests.harness import ORG

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)  # 10:00 Monday 16/11/2026 in Vietnam
THURSDAY_0905 = datetime(2026, 11, 19, 2, 5, tzinfo=UTC)  # 09:05 Thursday


async def test_units_nudged_once_a_week_never_one_that_published(db_url: str) -> None:
    org = load_org(ORG).model_copy(update={"reports": Reports(weekly_nudge="thu 09:00")})
    deps = Deps(org=org, tz=TZ)
    engine = make_engine(db_url)
    await migrate(engine)
    sessions = make_sessions(engine, lambda: THURSDAY_0905)
    try:
        async with sessions() as session, session.begin():
            await units.sync(session, units=[UnitBase(code=u.code, name=u.name) for u in org.units])
            await session.flush()
            member = Member(
                platform="telegram", platform_user_id="1", chat_id="1", unit_code="p-anlac"
            )
            session.add(member)
            await session.flush()
            session.add(
                Submission(
                    member_id=member.id or 0,
                    kind="tin_tot",
                    unit_code="p-anlac",
                    status=Status.PUBLISHED,
                    submitted_at=MONDAY,
                    published_at=MONDAY,
                )
            )
            await contacts.add(session, unit_code="p-anlac", who="telegram:501", by="telegram:9")
            await contacts.add(session, unit_code="p-btd", who="telegram:502", by="telegram:9")
            await contacts.add(session, unit_code="p-btd", who="zalo:abc", by="telegram:9")

        async with sessions() as session, session.begin():
            wednesday = datetime(2026, 11, 18, 2, 5, tzinfo=UTC)
            assert await nudge_units(session, deps=deps, now=wednesday) == 0  # not yet due
            assert await nudge_units(session, deps=deps, now=THURSDAY_0905) == 2
            later = datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
            assert await nudge_units(session, deps=deps, now=later) == 0  # once a week
        async with sessions() as session:
            rows = (await session.exec(select(Outbox).order_by(col(Outbox.chat_id)))).all()
        # An Lạc published this week: its contact hears nothing. Bình Thạnh Đông's two do.
        assert sorted((row.platform, row.chat_id) for row in rows) == [
            ("telegram", "502"),
            ("zalo", "abc"),
        ]
        text = render(Say(rows[0].template or "", rows[0].context), "plain")
        assert "chưa có tin nào" in text and "22/11" in text

        async with sessions() as session, session.begin():
            next_thursday = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
            assert await nudge_units(session, deps=deps, now=next_thursday) == 3  # a new week
            off = Deps(org=load_org(ORG), tz=TZ)
            assert await nudge_units(session, deps=off, now=next_thursday) == 0  # off by default
    finally:
        await engine.dispose()
