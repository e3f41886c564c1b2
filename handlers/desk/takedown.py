"""Correct or take down a published item everywhere: ``/gobai 27``, ``/suabai 27 <text>``
(typed in the editors' group or in private) and the "Gỡ bài" button on the decided card.
Each target that went out gets a change row in the outbox, carried out by that target's
worker through its ``Corrector`` (``handlers/desk/changes.py``); the editor is answered at
once, then told per target what was done and what could not be. Audited; the member is
told; reports still count the item as published (``taken_down_at`` marks it)."""

from __future__ import annotations

from handlers.desk import archived, cards, changes, decisions
from handlers.engine import numbers
from handlers.engine.card_actions import CardAction as A
from handlers.engine.card_actions import CardPress, button
from handlers.engine.context import Ctx
from handlers.engine.roles import actor, audit, requires
from handlers.engine.router import Router
from handlers.engine.texts import label, render
from handlers.engine.types import Reply, Say
from storage import archive, outbox, submissions, versions
from storage.models import Member, Outbox, OutboxKind, OutboxStatus, Submission

router = Router()
UNSENT = (OutboxStatus.QUEUED, OutboxStatus.WAITING)


@router.command("gobai")
@requires("editor")
async def take_down_command(ctx: Ctx) -> None:
    sub = await _published(ctx, ctx.event.args.strip())
    if sub is not None:
        await take_down(ctx, sub)


@router.command("suabai")
@requires("editor")
async def correct_command(ctx: Ctx) -> None:
    number, _, text = ctx.event.args.strip().partition(" ")
    sub = await _published(ctx, number)
    if sub is None:
        return
    if not 0 < len(text.strip()) <= decisions.POST_LIMIT:
        ctx.say("takedown/usage.j2", number="", limit=decisions.POST_LIMIT)
        return
    if not decisions.refused_text(ctx, text):
        await correct(ctx, sub, text.strip())


@router.card(A.TAKE_DOWN, pending_only=False)
async def ask_take_down(ctx: Ctx, sub: Submission, _press: CardPress) -> None:
    sid = sub.id or 0
    rows = (
        (button(label("take_down_confirm"), A.TAKE_DOWN_CONFIRMED, sid),),
        (button(label("back_card"), A.BACK, sid),),
    )
    ctx.replies.append(Reply(Say("takedown/confirm.j2", {"sid": sid}), rows, edit=True))


@router.card(A.TAKE_DOWN_CONFIRMED, pending_only=False)
async def confirmed(ctx: Ctx, sub: Submission, _press: CardPress) -> None:
    await take_down(ctx, sub)


async def take_down(ctx: Ctx, sub: Submission) -> None:
    if sub.taken_down_at is not None:
        ctx.say("takedown/already.j2", sid=sub.id, at=sub.taken_down_at, tz=ctx.deps.tz)
        return
    sent = await _sent_posts(ctx, sub)
    for row in await outbox.of_submission(ctx.session, submission_id=sub.id or 0):
        if row.kind == OutboxKind.POST and row.status in UNSENT:  # never goes out now
            await outbox.give_up(ctx.session, item=row, status=OutboxStatus.FAILED, error="gỡ")
    sub.taken_down_at = ctx.deps.clock()
    ctx.session.add(sub)
    await archive.forget(ctx.session, submission_id=sub.id or 0)  # gone from the public search
    await _finish(ctx, sub, "take_down", sent, None)


async def correct(ctx: Ctx, sub: Submission, text: str) -> None:
    """The new text everywhere it went; the old one kept (who, when, what) for the card."""
    old = sub.published_text or await archived.published_text(ctx.session, sub, ctx.deps)
    sub.post_text = text
    ctx.session.add(sub)
    post = render(await cards.post_say(ctx.session, sub, ctx.deps), "plain")
    rows = [r for r in await _sent_posts(ctx, sub) if not (r.context or {}).get("taken_down")]
    await archived.refresh(ctx.session, sub, ctx.deps)  # frozen again; indexed unless down
    who, name = actor(ctx)
    await versions.add(
        ctx.session,
        submission_id=sub.id or 0,
        old_text=old,
        new_text=sub.published_text or post,
        by=who,
        by_name=name,
        at=ctx.deps.clock(),
    )
    await _finish(ctx, sub, "correct", rows, post)


async def _finish(
    ctx: Ctx, sub: Submission, action: str, rows: list[Outbox], text: str | None
) -> None:
    """Each target's change queued (``handlers/desk/changes.py``: its worker carries it out
    and the editor hears every result); the audit, the member and the card now."""
    queued = await changes.queue(ctx, sub, action, rows, text)
    note = ", ".join(f"{r.platform}:{r.chat_id}" for r in rows)
    await audit(ctx, action, submission_id=sub.id, note=note[:500])
    member = await ctx.session.get(Member, sub.member_id)
    if member is not None:
        stamp = int(ctx.deps.clock().timestamp())
        await outbox.notice(
            ctx.session,
            to=(member.platform, member.chat_id),
            key=f"notice:{sub.id}:{action}:{stamp}",
            template="notice/taken_down.j2" if action == "take_down" else "notice/corrected.j2",
            context={"sub_id": sub.id},
            submission_id=sub.id,
        )
    if queued:
        ctx.say("takedown/queued.j2", sid=sub.id, action=action, count=queued)
    else:  # nowhere left to change: the answer is complete now
        ctx.say("takedown/result.j2", sid=sub.id, action=action, results=[])
    if ctx.event.group:
        await decisions.refresh_card(ctx, sub)
    else:
        await cards.mirror_card(ctx.session, sub, ctx.deps, ctx.deps.clock())


async def _sent_posts(ctx: Ctx, sub: Submission) -> list[Outbox]:
    rows = await outbox.of_submission(ctx.session, submission_id=sub.id or 0, kind=OutboxKind.POST)
    return [row for row in rows if row.status == OutboxStatus.SENT]


async def _published(ctx: Ctx, number: str) -> Submission | None:
    """The item a command names, when something of it went out; else the usage."""
    sid = numbers.number(number)
    sub = await submissions.get(ctx.session, submission_id=sid) if sid else None
    if sub is None or not await _sent_posts(ctx, sub):
        ctx.say("takedown/usage.j2", number=number, limit=decisions.POST_LIMIT)
        return None
    return sub
