"""An update's claim and its member's read in one hand-off (``storage/quick_read.py``, SQLite):
the rows it makes must be the ORM's own, in the session as loaded and unchanged, and a change
to them must be written as a loaded row's is. PostgreSQL keeps the session's read."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import select

from bot.runtime.app import App
from storage import members, quick_commit, quick_read
from storage.models import Member, Submission
from tests.support.core import say


def values(row: object) -> dict[str, object]:
    return {attr.key: getattr(row, attr.key) for attr in inspect(type(row)).column_attrs}


async def test_the_rows_read_with_the_claim_are_the_orms_own(app: App) -> None:
    await say(app, command="start")
    await say(app, text="1")  # a unit
    await say(app, command="gui")
    await say(app, text="1")  # Tin tốt
    await say(app, text="2")  # the raw path: a draft, a step, the choices in the row's JSON
    async with app.sessions() as session:
        member = (await session.exec(select(Member).where(Member.platform_user_id == "u1"))).one()
        draft = await session.get(Submission, member.draft_id)
        loaded = values(member), values(draft)
    async with app.sessions() as session, session.begin():
        fresh, found = await quick_read.claim(
            session, key="read:claimed", platform="zalo", user_id="u1"
        )
        assert fresh
        if app.engine.dialect.name != "sqlite":
            assert found is None  # read after the member's row lock, by the session
            return
        assert found is not None and found.member is not None and found.draft is not None
        assert found.banned is False
        assert (values(found.member), values(found.draft)) == loaded
        assert [type(v) for v in values(found.member).values()] == [
            type(v) for v in loaded[0].values()
        ]
        for row in (found.member, found.draft):
            state = inspect(row)
            assert state.persistent and not state.modified and row in session
        # The session finds them by their keys, without a query.
        assert await session.get(Submission, found.draft.id) is found.draft
        found.member.step = "dia_diem"
        found.draft.thoi_gian = "Sáng 15/11"
        assert await quick_commit.commit(session)
    async with app.sessions() as session:
        member = (await session.exec(select(Member).where(Member.platform_user_id == "u1"))).one()
        draft = await session.get(Submission, member.draft_id)
    assert member.step == "dia_diem" and draft is not None and draft.thoi_gian == "Sáng 15/11"


async def test_an_update_seen_before_reads_nothing_with_its_claim(app: App) -> None:
    await say(app, command="start")
    async with app.sessions() as session, session.begin():
        assert await quick_read.claim(session, key="read:twice", platform="zalo", user_id="u1")
    async with app.sessions() as session, session.begin():
        fresh, found = await quick_read.claim(
            session, key="read:twice", platform="zalo", user_id="u1"
        )
    assert (fresh, found) == (False, None)


async def test_a_new_member_is_read_as_none(app: App) -> None:
    async with app.sessions() as session, session.begin():
        fresh, found = await quick_read.claim(
            session, key="read:new", platform="zalo", user_id="nobody"
        )
    assert fresh
    if app.engine.dialect.name == "sqlite":
        assert found == members.Found(None, None, None)  # get_or_create makes the row
    else:
        assert found is None
