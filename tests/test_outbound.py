"""The core's side of the outbox: what a post that may have gone out makes the editors see."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import App, build
from handlers import outbound
from handlers.texts import render
from storage import outbox
from storage.models import Member, Outbox, OutboxStatus, Status, Submission
from tests.fake_telegram import FakeTelegram
from tests.harness import make_settings


@pytest.fixture
async def app(db_url: str, fake: FakeTelegram) -> AsyncIterator[App]:
    application = await build(make_settings(db_url, fake, editor_chat_id=-100777))
    yield application
    await application.close()


async def test_a_post_in_doubt_is_shown_to_the_editors_not_resent(app: App) -> None:
    deps = app.core.deps
    async with app.sessions() as session, session.begin():
        member = Member(platform="telegram", platform_user_id="1", chat_id="1", display_name="Lan")
        session.add(member)
        await session.flush()
        sub = Submission(
            member_id=member.id or 0,
            kind="tin_tot",
            path="raw",
            status=Status.APPROVED,
            unit_code="p-anlac",
            nhan_vat="Cô <Hoa>",
        )
        session.add(sub)
        await session.flush()
        await outbox.enqueue(
            session,
            key="post:x",
            kind="post",
            platform="telegram",
            chat_id="-100555",
            submission_id=sub.id,
        )
        [post] = (await session.exec(select(Outbox))).all()
        await outbox.give_up(session, item=post, status=OutboxStatus.NEEDS_CHECK, error="timeout")
        await outbound.after_problem(session, post, deps)
        await outbound.after_problem(session, post, deps)  # told once, not twice
    async with app.sessions() as session:
        rows = (await session.exec(select(Outbox).where(Outbox.kind == "notice"))).all()
        [notice] = rows
        reply = await outbound.compose(session, notice, deps)
        card = await outbound.compose(
            session,
            Outbox(
                key="c", kind="card", platform="telegram", chat_id="-100777", submission_id=sub.id
            ),
            deps,
        )
    assert notice.chat_id == "-100777" and post.status == OutboxStatus.NEEDS_CHECK
    assert reply is not None and "không rõ bài đã lên chưa" in render(reply.say, "plain")
    assert card is not None and "Không rõ đã đăng lên telegram:-100555" in render(card.say, "plain")
    assert "Cô &lt;Hoa&gt;" in render(card.say, "html")
