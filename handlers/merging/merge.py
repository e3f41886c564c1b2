"""Gộp: one story sent by several members, published once, crediting each of them.

A waiting submission B is merged into A (the one it likely repeats, or any an editor names):
B then follows A's fate (``handlers.merging.merge_follow``), only A is posted, and the post and
A's card name every member who sent it. The button ``CardAction.MERGE`` on B's card merges it
into the one it was flagged as repeating; Zalo editors type ``/gop 27`` or ``/gop 27 12``.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.desk import archived, cards, decisions
from handlers.engine import numbers, roles
from handlers.engine.card_actions import CardAction, CardPress
from handlers.engine.context import Ctx, Deps
from handlers.engine.roles import actor, audit, input_key, requires
from handlers.engine.router import Router
from handlers.merging import duplicates
from storage import merges, outbox, review, submissions
from storage.duplicates import LIVE
from storage.models import OutboxKind, Status, Submission

router = Router()


@router.card(CardAction.MERGE)
async def merge_button(ctx: Ctx, sub: Submission, _press: CardPress) -> None:
    if sub.duplicate_of is None:
        ctx.alert("stale_button.j2")
        return
    await merge(ctx, sub, sub.duplicate_of)


@router.command("gop")
@requires("editor")
async def merge_command(ctx: Ctx) -> None:
    """``/gop 27``: into the one #27 was flagged as repeating; ``/gop 27 12``: into #12."""
    words = [word.lstrip("#") for word in ctx.event.args.split()]
    ids = [numbers.number(word) for word in words]
    if not 1 <= len(ids) <= 2 or None in ids:
        ctx.say("review/merge_usage.j2", number=None, flagged=True)
        return
    sub = await submissions.get(ctx.session, submission_id=ids[0])
    if sub is None or sub.status in (Status.DRAFT, Status.CANCELLED):
        ctx.say("review/merge_usage.j2", number=words[0], flagged=True)
        return
    into = ids[1] if len(words) == 2 else sub.duplicate_of
    if into is None:
        ctx.say("review/merge_usage.j2", number=None, flagged=False, sid=sub.id)
    elif sub.status != Status.PENDING or sub.merged_into is not None:
        await decisions.lost_race(ctx, sub.id or 0)
    else:
        await merge(ctx, sub, into)


def _refusal(sub: Submission, primary: Submission | None) -> str | None:
    if primary is None or primary.status in (Status.DRAFT, Status.CANCELLED):
        return "missing"
    if primary.id == sub.id:
        return "self"
    if primary.merged_into is not None:
        return "merged"
    return None if primary.status in LIVE else "decided"


async def merge(ctx: Ctx, sub: Submission, into: int) -> None:
    """Merge the waiting ``sub`` into ``into``: B takes A's state (merged while A waits, approved
    or published with it once A is), its member is told, both cards show it."""
    primary = await merges.lock(ctx.session, submission_id=into)
    refusal = _refusal(sub, primary)
    if refusal is not None or primary is None:
        answer = ctx.alert if ctx.event.choice is not None else ctx.say
        answer("review/merge_refused.j2", why=refusal, sid=sub.id, into=into, primary=primary)
        return
    now, (who, name) = ctx.deps.clock(), actor(ctx)
    status = Status(primary.status)
    waits = status in (Status.PENDING, Status.NEEDS_INFO)
    published = status == Status.PUBLISHED
    if not await merges.merge(
        ctx.session,
        child_id=sub.id or 0,
        into=into,
        status=Status.MERGED if waits else status,
        decided_by=who,
        decided_by_name=name[:200],
        decided_at=now,
        published_at=now if published else None,
    ):
        await decisions.lost_race(ctx, sub.id or 0)
        return
    await audit(ctx, "merge", submission_id=sub.id, note=f"into #{into}")
    await audit(ctx, "merge", submission_id=into, note=f"#{sub.id} merged into it")
    await review.clear_input(ctx.session, **input_key(ctx))
    posts = await outbox.of_submission(ctx.session, submission_id=into, kind=OutboxKind.POST)
    links = [post.link for post in posts if post.link] if published else []
    await cards.notify_member(
        ctx.session, sub, "merged", ctx.deps, into=into, status=status.value, links=links
    )
    if published:  # an editor's decision: the archive's frozen credits now name both senders
        primary.published_credits = None
        await archived.refresh(ctx.session, primary, ctx.deps)
    await cards.mirror_card(ctx.session, primary, ctx.deps, now)  # now naming both senders
    if ctx.event.group:
        await decisions.refresh_card(ctx, sub)
    else:
        await cards.mirror_card(ctx.session, sub, ctx.deps, now)
        ctx.say("review/merged_done.j2", sid=sub.id, into=into, status=status.value)


async def release_children(session: AsyncSession, primary: Submission, deps: Deps) -> None:
    """The submission others were merged into leaves the queue without a decision
    (withdrawn, erased): each of them waits for the editors again on its own card, looked
    at again for an earlier telling (the one it joined is gone)."""
    editors = await roles.text_editors(session, deps)
    for child in await merges.unmerge(session, primary_id=primary.id or 0):
        child.card_chat_id = child.card_message_id = None  # recorded when the new card goes
        await duplicates.mark(session, child)
        await review.audit(
            session,
            submission_id=child.id,
            actor="bot",
            actor_name="",
            action="unmerge",
            note=f"#{primary.id} {primary.status}",
        )
        # A card of its own again; not a new version: nothing was supplemented.
        await cards.enqueue_card(session, child, deps, reason=f":released:{primary.id}")
        await cards.announce(session, child, deps, editors, reason="released")
