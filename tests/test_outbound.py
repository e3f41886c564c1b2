"""The core's side of the outbox: what a post that may have gone out makes the editors see."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.runtime.app import App
from bot.serve.compose import build
from handlers.desk import cards, outbound
from handlers.engine.texts import render
from handlers.engine.types import Inbound
from storage import outbox
from storage.models import Member, Outbox, OutboxKind, OutboxStatus, Status, Submission
from tests.harness import make_settings
from tests.platforms.telegram.fake_telegram import FakeTelegram


@pytest.fixture
async def app(db_url: str, fake: FakeTelegram) -> AsyncIterator[App]:
    application = await build(
        make_settings(db_url, fake, editor_chat_id=-100777, editor_ids="telegram:42")
    )
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
            kind=OutboxKind.POST,
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


async def _pending_with_card(app: App) -> tuple[int, Outbox]:
    """A submitted item whose card is on its way to the editors' group (not yet recorded)."""
    async with app.sessions() as session, session.begin():
        member = Member(platform="telegram", platform_user_id="1", chat_id="1", display_name="Lan")
        session.add(member)
        await session.flush()
        sub = Submission(member_id=member.id or 0, kind="tin_tot", path="raw", unit_code="p-anlac")
        sub.status = Status.PENDING
        session.add(sub)
        await session.flush()
        await cards.enqueue_card(session, sub, app.core.deps)
        [card] = (await session.exec(select(Outbox).where(Outbox.kind == "card"))).all()
        return sub.id or 0, card


async def _card_edits(app: App) -> list[Outbox]:
    async with app.sessions() as session:
        return list((await session.exec(select(Outbox).where(Outbox.kind == "card_edit"))).all())


@pytest.mark.parametrize("where", ["on the card", "in a private chat"])
async def test_a_decision_before_the_card_is_recorded_is_shown_once(app: App, where: str) -> None:
    """An editor can press Duyệt on the card before its delivery is recorded. A press on the
    card edits it in place, so recording it must not edit it again (Telegram would answer
    "message is not modified"); a decision made elsewhere still reaches the card."""
    sub_id, card = await _pending_with_card(app)
    group = where == "on the card"
    replies = await app.core.handle(
        Inbound(
            platform="telegram",
            update_key="telegram:1",
            user_id="42",
            chat_id="-100777" if group else "42",
            display_name="Biên tập",
            message_id="900" if group else None,
            group=group,
            choice=f"card:approve:{sub_id}" if group else None,
            command=None if group else "duyet",
            args="" if group else str(sub_id),
        )
    )
    edits = [reply for reply in replies if reply.edit]
    assert len(edits) == (1 if group else 0)
    async with app.sessions() as session, session.begin():
        await outbound.after_sent(session, card, message_ids=["900"], link=None, deps=app.core.deps)
    mirrored = await _card_edits(app)
    assert len(mirrored) == (0 if group else 1)
    async with app.sessions() as session:
        sub = await session.get(Submission, sub_id)
    assert sub is not None and sub.status == Status.APPROVED
    assert (sub.card_chat_id, sub.card_message_id) == ("-100777", "900")
