"""What an outbox row says when its turn comes, and what follows once it is sent.

The outbox worker of each platform calls ``compose`` to get the reply to send and
``after_sent`` / ``after_problem`` with the outcome; the decisions stay here, in the core.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.admin import web_link
from handlers.desk import archived, cards
from handlers.engine.context import Deps
from handlers.engine.types import Choice, Reply, Say
from handlers.merging import merge_follow
from handlers.reports import report
from storage import members, outbox, submissions
from storage.models import Outbox, OutboxKind, OutboxStatus, Status


async def compose(session: AsyncSession, item: Outbox, deps: Deps) -> Reply | None:
    """The reply for a row, or None when there is nothing left to send (e.g. the submission
    was erased)."""
    if item.kind == OutboxKind.CHANGE:  # carried out by the worker, not sent
        return None
    if item.kind == OutboxKind.REPORT:
        return await report.scheduled(session, str(item.context.get("period", "")), deps)
    if item.kind == OutboxKind.NOTICE:
        context: dict[str, Any] = dict(item.context or {})
        rows = context.pop("choices", [])
        if rows:  # remembered as it goes out: a "1" typed the moment it shows must find it
            await remember_choices(session, item, rows)
        choices = tuple(tuple(Choice(label, data) for label, data in row) for row in rows)
        if "sign_in" in context:  # a held /web answer: a fresh link, the held one retired
            fresh = await web_link.reissue(session, deps, str(context["sign_in"]))
            if fresh is None:
                return None
            # A retry of this row re-issues from the fresh link's hash, never the raw token.
            item.context = {"sign_in": web_link.held_sign_in(str(fresh["url"]))}
            session.add(item)
            context = fresh
        return Reply(Say(item.template, context), choices) if item.template else None
    sub = await submissions.get(session, submission_id=item.submission_id)
    if sub is None:
        return None
    if item.kind == OutboxKind.CARD:
        return await cards.card_reply(session, sub, deps)
    if item.kind == OutboxKind.CARD_EDIT:
        card = await cards.card_reply(session, sub, deps, media=False)
        return Reply(card.say, card.choices, edit=True, message_id=sub.card_message_id)
    return await cards.post_reply(session, sub, deps, item.platform)


async def after_sent(
    session: AsyncSession, item: Outbox, *, message_ids: list[str], link: str | None, deps: Deps
) -> None:
    await outbox.mark_sent(session, item=item, message_ids=message_ids, link=link)
    sub = await submissions.get(session, submission_id=item.submission_id)
    if sub is None:
        return
    if item.kind == OutboxKind.NOTICE and (item.context or {}).get("was_held"):
        await cards.mirror_card(session, sub, deps, deps.clock())  # "cannot reach" is over
    if item.kind == OutboxKind.CARD and message_ids:
        # Already recorded by a press on this very card, which showed the decision itself.
        shown = (sub.card_chat_id, sub.card_message_id) == (item.chat_id, message_ids[-1])
        sub.card_chat_id, sub.card_message_id = item.chat_id, message_ids[-1]
        session.add(sub)
        if sub.status != Status.PENDING and not shown:  # decided (e.g. from Zalo) meanwhile
            await cards.mirror_card(session, sub, deps, deps.clock())
    elif item.kind == OutboxKind.POST:
        await session.flush()
        # Each target's worker records its post in its own transaction: with the row locked,
        # the last of them to finish sees every other one sent (READ COMMITTED on PostgreSQL),
        # so the item is marked published exactly once.
        sub = await submissions.locked(session, submission_id=sub.id or 0) or sub
        posts = await outbox.of_submission(session, submission_id=sub.id or 0, kind=OutboxKind.POST)
        if all(p.status == OutboxStatus.SENT for p in posts) and sub.status == Status.APPROVED:
            sub.status, sub.published_at = Status.PUBLISHED, deps.clock()
            session.add(sub)
            await archived.refresh(session, sub, deps)  # the public archive's search finds it now
            links = [p.link for p in posts if p.link]
            await cards.notify_member(session, sub, "published", deps, links=links)
            await merge_follow.published(session, sub, deps, links=links)
            await cards.mirror_card(session, sub, deps, deps.clock())


async def remember_choices(session: AsyncSession, item: Outbox, shown: object) -> None:
    """A notice with choices (e.g. "Bổ sung ngay") is the member's last list once it goes out:
    on a platform without buttons, "1" must mean its first choice."""
    member = await members.by_chat(session, platform=item.platform, chat_id=item.chat_id)
    if member is None or not isinstance(shown, list):
        return
    flat = [list(choice) for row in shown for choice in row]
    member.step_data = {**(member.step_data or {}), "choices": flat}
    session.add(member)


async def after_problem(session: AsyncSession, item: Outbox, deps: Deps) -> None:
    """A post that failed for good or may have gone out: the editors decide, not a retry.
    A notice to a member held or refused: the card says the member has not heard yet."""
    if item.kind == OutboxKind.NOTICE:
        held = await submissions.get(session, submission_id=item.submission_id)
        if held is not None and (item.context or {}).get("was_held"):
            await cards.mirror_card(session, held, deps, deps.clock())
        return
    if item.kind != OutboxKind.POST:
        return
    context = {
        "sub_id": item.submission_id,
        "status": item.status,
        "target": f"{item.platform}:{item.chat_id}",
        "error": item.error or "",
    }
    await outbox.notice(
        session,
        to=deps.editors_group,
        key=f"problem:{item.id}:{item.status}",
        template="notice/post_problem.j2",
        context=context,
        submission_id=item.submission_id,
    )
    sub = await submissions.get(session, submission_id=item.submission_id)
    if sub is not None:  # the card's per-target line shows the failure too
        await cards.mirror_card(session, sub, deps, deps.clock())
