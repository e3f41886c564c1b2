"""The four decisions on a submission and what each sets in motion (posts, notices, audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.desk import cards
from handlers.engine.context import Ctx, Deps
from handlers.engine.roles import actor, audit, input_key
from handlers.engine.textnorm import has_forbidden
from handlers.engine.texts import label
from handlers.engine.types import Reply
from handlers.merging import merge_follow
from storage import outbox, review, submissions
from storage.models import OutboxKind, OutboxStatus, Status, Submission

TEXT_LIMIT = 1000  # a reason or a note
POST_LIMIT = 3500  # the editors' post text: room left for the hashtags under Telegram's 4096


def refused_text(ctx: Ctx, text: str) -> bool:
    """An editor's text that no page, feed or file can hold (``textnorm.FORBIDDEN``): told so,
    nothing kept. The same rule as members' answers."""
    if has_forbidden(text):
        ctx.say("review/hidden_characters.j2")
        return True
    return False


async def refresh_card(ctx: Ctx, sub: Submission) -> None:
    """Show the outcome on the editors' card: edited in place when the press came from the
    editors' group, else (a text command in a private chat) mirrored there via the outbox."""
    if ctx.event.group:
        if sub.card_message_id is None and ctx.event.message_id is not None:
            # Pressed before the card's delivery was recorded: this press edits it in place,
            # so the recording (``outbound.after_sent``) must not mirror the decision again.
            sub.card_chat_id, sub.card_message_id = ctx.event.chat_id, ctx.event.message_id
            ctx.session.add(sub)
        reply = await cards.card_reply(ctx.session, sub, ctx.deps, media=False)
        target = sub.card_message_id if sub.card_chat_id == ctx.event.chat_id else None
        ctx.replies.append(Reply(reply.say, reply.choices, edit=True, message_id=target))
        return
    await cards.mirror_card(ctx.session, sub, ctx.deps, ctx.deps.clock())
    ctx.say("review/done_private.j2", sub=sub, tz=ctx.deps.tz)


async def lost_race(ctx: Ctx, sub_id: int) -> None:
    sub = await submissions.get(ctx.session, submission_id=sub_id)
    if sub is not None:
        await ctx.session.refresh(sub)
    ctx.alert("review/decided.j2", sub=sub, tz=ctx.deps.tz)


async def _decide(
    ctx: Ctx, sub_id: int, to: Status, action: str, note: str | None, **values: Any
) -> Submission | None:
    """The one conditional UPDATE, then the audit; None (after an alert) when it lost."""
    who, name = actor(ctx)
    if not await review.decide(
        ctx.session,
        submission_id=sub_id,
        expect=Status.PENDING,
        to=to,
        actor=who,
        actor_name=name,
        **values,
    ):
        await lost_race(ctx, sub_id)
        return None
    await audit(ctx, action, submission_id=sub_id, note=note)
    await review.clear_input(ctx.session, **input_key(ctx))
    return await submissions.get(ctx.session, submission_id=sub_id)


async def approve(
    ctx: Ctx, sub_id: int, *, post_text: str | None = None, consent_confirmed: bool = False
) -> bool:
    """``consent_confirmed``: the editor confirmed publishing though the member had not asked
    the people shown (kept in the audit)."""
    values = {"post_text": post_text} if post_text is not None else {}
    notes = ["edited text"] if post_text is not None else []
    if consent_confirmed:
        notes.append("consent not asked: confirmed by the editor")
    note = "; ".join(notes) or None
    sub = await _decide(ctx, sub_id, Status.APPROVED, "approve", note, **values)
    if sub is None:
        return False
    slot = ctx.org.slots.tin_tot if sub.kind == "tin_tot" else ctx.org.slots.cau_chuyen_dep
    status = OutboxStatus.WAITING if slot else OutboxStatus.QUEUED
    for platform, chat in targets_of(ctx.deps, sub.unit_code):
        await outbox.enqueue(
            ctx.session,
            key=f"post:{sub_id}:{platform}:{chat}",
            kind=OutboxKind.POST,
            platform=platform,
            chat_id=chat,
            submission_id=sub_id,
            status=status,
        )
    await cards.notify_member(ctx.session, sub, "approved", ctx.deps, slot=bool(slot))
    await merge_follow.decided(ctx.session, sub, ctx.deps, "approved", slot=bool(slot))
    await refresh_card(ctx, sub)
    return True


def targets_of(deps: Deps, unit: str | None) -> list[tuple[str, str]]:
    """Where an item of ``unit`` goes: ``PUBLISH_TARGETS``, then the unit's own targets and
    those of each ancestor that takes its children's items; each once."""
    found = list(deps.targets)
    for receiver in deps.org.receivers(unit):  # the unit's own first, then up the tree
        found += [(p, ident) for code, p, ident in deps.pages if code == receiver.code]
    return list(dict.fromkeys(found))


async def reject(ctx: Ctx, sub_id: int, reason: str) -> None:
    sub = await _decide(ctx, sub_id, Status.REJECTED, "reject", reason, reject_reason=reason)
    if sub is not None:
        await cards.notify_member(ctx.session, sub, "rejected", ctx.deps, reason=reason)
        await merge_follow.decided(ctx.session, sub, ctx.deps, "rejected", reason=reason)
        await refresh_card(ctx, sub)


async def ask_more(ctx: Ctx, sub_id: int, fields: list[str], note: str | None) -> None:
    sub = await _decide(
        ctx,
        sub_id,
        Status.NEEDS_INFO,
        "ask_more",
        f"{', '.join(fields)}: {note or ''}",
        info_fields=fields,
        info_note=note,
    )
    if sub is not None:
        names = [label(f"field_{field}") for field in fields]
        await cards.notify_member(
            ctx.session,
            sub,
            "needs_info",
            ctx.deps,
            fields=names,
            note=note,
            choices=[[[label("supplement"), f"sup:0:{sub_id}"]]],
        )
        await refresh_card(ctx, sub)


async def post_now(ctx: Ctx, sub_id: int, now: datetime) -> None:
    released = await outbox.release_waiting(ctx.session, submission_id=sub_id, now=now)
    if not released:
        await lost_race(ctx, sub_id)
        return
    await audit(ctx, "post_now", submission_id=sub_id)
    sub = await submissions.get(ctx.session, submission_id=sub_id)
    assert sub is not None
    await refresh_card(ctx, sub)
