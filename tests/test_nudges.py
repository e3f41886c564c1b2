"""The weekly nudge: once a week, only to members who sent nothing, never to the banned."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from handlers.engine.context import Deps
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.jobs.nudges import weekly
from handlers.org import Reports, load_org
from storage import units
from storage.db import make_engine, make_sessions, migrate
from storage.models import Ban, Member, Outbox, Status, Submission, UnitBase
from tests.harness import ORG

FRIDAY_1805 = datetime(2026, 11, 20, 11, 5, tzinfo=UTC)  # 18:05 in Vietnam


async def test_weekly_nudge(db_url: str) -> None:
    from zoneinfo import ZoneInfo

    org = load_org(ORG)
    org = org.model_copy(update={"reports": Reports(weekly_member_reminder="fri 18:00")})
    deps = Deps(org=org, tz=ZoneInfo("Asia/Ho_Chi_Minh"))
    engine = make_engine(db_url)
    await migrate(engine)
    sessions = make_sessions(engine)
    async with sessions() as session, session.begin():
        await units.sync(session, units=[UnitBase(code=u.code, name=u.name) for u in org.units])
        await session.flush()  # the units exist before members point at them
        people = {}
        for n, (name, unit) in enumerate(
            [
                ("Đã gửi", "p-anlac"),
                ("Chưa gửi", "p-anlac"),
                ("Bị cấm", "p-btd"),
                ("Chưa chọn", None),
            ]
        ):
            member = Member(
                platform="telegram",
                platform_user_id=str(n + 1),
                chat_id=str(n + 1),
                display_name=name,
                unit_code=unit,
            )
            session.add(member)
            await session.flush()
            people[name] = member
        session.add(
            Submission(
                member_id=people["Đã gửi"].id or 0,
                kind="tin_tot",
                status=Status.PENDING,
                submitted_at=datetime(2026, 11, 17, tzinfo=UTC),
            )
        )
        session.add(Ban(platform="telegram", user_id="3", banned_by="telegram:9"))
    try:
        async with sessions() as session, session.begin():
            assert (
                await weekly(session, deps=deps, now=datetime(2026, 11, 20, 10, 0, tzinfo=UTC)) == 0
            )
            assert await weekly(session, deps=deps, now=FRIDAY_1805) == 1
            assert await weekly(session, deps=deps, now=FRIDAY_1805) == 0  # once a week
        async with sessions() as session:
            [notice] = (await session.exec(select(Outbox))).all()
        assert notice.chat_id == "2"  # "Chưa gửi", the only one to nudge
        text = render(Say(notice.template or "", notice.context), "plain")
        assert "Chưa gửi" in text and "một lần mỗi tuần" in text
        async with sessions() as session, session.begin():
            next_week = datetime(2026, 11, 27, 11, 30, tzinfo=UTC)
            assert await weekly(session, deps=deps, now=next_week) == 2  # both sent nothing
            off = Deps(org=load_org(ORG), tz=deps.tz)
            assert await weekly(session, deps=off, now=next_week) == 0  # off by default
    finally:
        await engine.dispose()
