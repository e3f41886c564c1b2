"""The desk's own buttons on the editors' card: approve, reject (a preset or a typed reason),
ask for more (tick fields, then a note), edit the post, post now, send the card again.

Registered on ``router`` like the member's choices; ``handlers.desk.review.press`` has already
checked the chat, the editor and (unless said otherwise) that the submission still waits.
"""

from __future__ import annotations

from handlers.desk import cards, decisions, queue
from handlers.engine.card_actions import CardAction as A
from handlers.engine.card_actions import CardPress, button
from handlers.engine.context import Ctx
from handlers.engine.roles import input_key
from handlers.engine.router import Router
from handlers.engine.states import PATHS
from handlers.engine.texts import label
from handlers.engine.types import Choice, Reply, Say
from storage import review
from storage.models import Submission

router = Router()
Rows = list[list[Choice]]
CONFIRMED = (A.APPROVE_CONFIRMED, A.PUBLISH_CONFIRMED)  # consent not asked: a second press


@router.card(A.POST_NOW, pending_only=False)
async def post_now(ctx: Ctx, sub: Submission, _press: CardPress) -> None:
    await decisions.post_now(ctx, sub.id or 0, ctx.deps.clock())


@router.card(A.RESEND, pending_only=False)
async def resend(ctx: Ctx, sub: Submission, _press: CardPress) -> None:
    await queue.resend(ctx, sub)


@router.card(A.APPROVE, A.APPROVE_CONFIRMED)
async def approve(ctx: Ctx, sub: Submission, press: CardPress) -> None:
    sid, confirmed = sub.id or 0, press.action in CONFIRMED
    if sub.consent == "not_asked" and not confirmed:
        await _buttons(ctx, sub, _confirm(sid, A.APPROVE_CONFIRMED))  # a second press
    else:
        await decisions.approve(ctx, sid, consent_confirmed=confirmed)


@router.card(A.REJECT)
async def reasons(ctx: Ctx, sub: Submission, _press: CardPress) -> None:
    sid = sub.id or 0
    presets = ctx.org.review.reject_reasons
    rows = [[button(text, A.REJECT_PRESET, sid, i)] for i, text in enumerate(presets)]
    rows.append([button(label("other_reason"), A.REJECT_OTHER, sid)])
    rows.append([button(label("back_card"), A.BACK, sid)])
    await _buttons(ctx, sub, rows)


@router.card(A.REJECT_PRESET)
async def reject_preset(ctx: Ctx, sub: Submission, press: CardPress) -> None:
    presets, arg = ctx.org.review.reject_reasons, press.arg
    if arg.isascii() and arg.isdigit() and int(arg) < len(presets):
        await decisions.reject(ctx, sub.id or 0, presets[int(arg)])
    else:
        ctx.alert("stale_button.j2")


@router.card(A.REJECT_OTHER, A.EDIT_POST)
async def ask_text(ctx: Ctx, sub: Submission, press: CardPress) -> None:
    """A reason or the post's text, typed as a reply in the group (``review._typed``)."""
    sid, reason = sub.id or 0, press.action == A.REJECT_OTHER
    what = "reject_reason" if reason else "post_text"
    await review.set_input(ctx.session, **input_key(ctx), action=what, submission_id=sid)
    template = "review/ask_reason.j2" if reason else "review/ask_post.j2"
    limit = decisions.TEXT_LIMIT if reason else decisions.POST_LIMIT
    ctx.replies.append(Reply(Say(template, {"sid": sid, "limit": limit}), force_reply=True))


@router.card(A.MORE, A.MORE_FIELD)
async def toggle(ctx: Ctx, sub: Submission, press: CardPress) -> None:
    """Yêu cầu bổ sung: tick the fields the member must answer again."""
    sid = sub.id or 0
    name = press.arg if press.action == A.MORE_FIELD else None
    names = [step.value for step in PATHS.get(sub.path or "raw", ())] + ["media"]
    chosen = await chosen_fields(ctx, sid) if name is not None else []
    if name in names:
        chosen = [n for n in chosen if n != name] if name in chosen else [*chosen, name]
    data = {"fields": chosen}
    await review.set_input(
        ctx.session, **input_key(ctx), action="more_fields", submission_id=sid, data=data
    )
    rows = [
        [button(("☑️ " if n in chosen else "⬜ ") + label(f"field_{n}"), A.MORE_FIELD, sid, n)]
        for n in names
    ]
    rows.append(
        [button(label("next_note"), A.MORE_NOTE, sid), button(label("back_card"), A.BACK, sid)]
    )
    await _buttons(ctx, sub, rows)


@router.card(A.MORE_NOTE)
async def ask_note(ctx: Ctx, sub: Submission, _press: CardPress) -> None:
    sid = sub.id or 0
    fields = await chosen_fields(ctx, sid)
    if not fields:
        ctx.alert("review/need_fields.j2")
        return
    data = {"fields": fields}
    await review.set_input(
        ctx.session, **input_key(ctx), action="more_note", submission_id=sid, data=data
    )
    say = Say("review/ask_note.j2", {"sid": sid, "limit": decisions.TEXT_LIMIT})
    ctx.replies.append(Reply(say, force_reply=True))


@router.card(A.PUBLISH, A.PUBLISH_CONFIRMED)
async def publish(ctx: Ctx, sub: Submission, press: CardPress) -> None:
    """The text this editor wrote, approved (after a second press if consent was not asked)."""
    sid, confirmed = sub.id or 0, press.action in CONFIRMED
    pending = await review.get_input(ctx.session, **input_key(ctx))
    text = pending.data.get("text") if pending and pending.submission_id == sid else None
    if not isinstance(text, str):
        ctx.alert("stale_button.j2")
    elif sub.consent == "not_asked" and not confirmed:
        rows = tuple(tuple(row) for row in _confirm(sid, A.PUBLISH_CONFIRMED))
        ctx.replies.append(Reply(Say("review/consent_confirm.j2", {"sid": sid}), rows, edit=True))
    elif await decisions.approve(ctx, sid, post_text=text, consent_confirmed=confirmed):
        ctx.replies.append(Reply(Say("review/edited_done.j2", {"sid": sid}), edit=True))


@router.card(A.BACK, A.CANCEL)
async def back(ctx: Ctx, sub: Submission, _press: CardPress) -> None:
    await review.clear_input(ctx.session, **input_key(ctx))
    await decisions.refresh_card(ctx, sub)


async def chosen_fields(ctx: Ctx, sid: int) -> list[str]:
    pending = await review.get_input(ctx.session, **input_key(ctx))
    if pending is None or pending.submission_id != sid:
        return []
    fields = pending.data.get("fields", [])
    return [str(name) for name in fields] if isinstance(fields, list) else []


def _confirm(sid: int, action: A) -> Rows:
    return [
        [button(label("approve_anyway"), action, sid)],
        [button(label("back_card"), A.BACK, sid)],
    ]


async def _buttons(ctx: Ctx, sub: Submission, rows: Rows) -> None:
    """Swap the card's buttons in place; its text stays."""
    reply = await cards.card_reply(ctx.session, sub, ctx.deps, media=False)
    ctx.replies.append(Reply(reply.say, tuple(tuple(row) for row in rows), edit=True))
