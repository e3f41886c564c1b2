"""A member's update is written at its end by ``storage/quick_commit.py`` (on SQLite, its
member and draft rows' changes and the COMMIT in one hand-off) rather than by the ORM's flush:
what it stores must be what the ORM stored, and a row gone from under it must fail the whole
update as the ORM's flush would, its claim included."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from bot.runtime.app import App
from storage import members, quick_commit, updates
from storage.models import Member, ProcessedUpdate, Submission
from tests.support.core import say


async def shown(app: App) -> list[list[str]]:
    """The choices last shown to the member, as stored in their row's JSON."""
    async with app.sessions() as session:
        member = (await session.exec(select(Member).where(Member.platform_user_id == "u1"))).one()
    return member.step_data.get("choices", [])  # type: ignore[return-value]


async def test_an_answer_is_stored_as_the_orm_stores_it(app: App) -> None:
    await say(app, command="start")
    await say(app, text="1")  # a unit
    await say(app, command="gui")
    assert "Tin tốt" in (await shown(app))[0][0]  # the kinds, in the row's JSON
    await say(app, text="1")  # Tin tốt
    await say(app, text="2")  # the raw path: the first field
    assert "Địa điểm" in await say(app, text="Sáng 15/11")
    async with app.sessions() as session:
        member = (await session.exec(select(Member).where(Member.platform_user_id == "u1"))).one()
        draft = await session.get(Submission, member.draft_id)
        raw = (
            await session.exec(  # type: ignore[call-overload]
                text("SELECT created_at, updated_at FROM member WHERE id = :id"),
                params={"id": member.id},
            )
        ).one()
    assert member.step == "dia_diem"
    assert draft is not None and draft.thoi_gian == "Sáng 15/11"
    assert draft.updated_at >= draft.created_at and member.updated_at.tzinfo is not None
    # The time stamp written at the end of the update is stored in the form the ORM's insert
    # gave the member's first one (the same type processors bound both).
    assert type(raw[0]) is type(raw[1]) and len(str(raw[0])) == len(str(raw[1]))


async def test_a_member_row_gone_before_the_commit_undoes_the_whole_update(app: App) -> None:
    await say(app, command="start")
    with pytest.raises(StaleDataError):
        async with app.sessions() as session, session.begin():
            assert await updates.claim(session, key="quick:gone")
            member, _, _ = await members.get_or_create(
                session, platform="zalo", user_id="u1", chat_id="u1", display_name="Hà",
                username=None,
            )  # fmt: skip
            # Gone behind the session's back (the ORM still holds the row).
            connection = await session.connection()
            await connection.execute(text("DELETE FROM member WHERE id = :id"), {"id": member.id})
            member.step = "chon_loai"
            # SQLite: raises here; PostgreSQL: the ORM's flush raises as the block ends.
            assert not await quick_commit.commit(session)
    async with app.sessions() as session:
        claim = await session.get(ProcessedUpdate, "quick:gone")
        kept = (await session.exec(select(Member).where(Member.platform_user_id == "u1"))).all()
    assert claim is None  # the update can be handled again
    assert len(kept) == 1  # the delete went with it
