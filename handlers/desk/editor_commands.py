"""Editors and admins on a platform without buttons (Zalo) act by text, in a private chat:
/choduyet, /xem 27, /duyet 27, /tuchoi 27 <lý do>, /bosung 27 <mục, mục>: <ghi chú>,
/sua 27 <nội dung>. The same role checks, single-decision rule and audit as the buttons."""

from __future__ import annotations

from handlers.desk import cards, decisions, queue
from handlers.engine import numbers
from handlers.engine.context import Ctx
from handlers.engine.roles import input_key, role_of
from handlers.engine.router import Router
from handlers.engine.states import PATHS
from handlers.engine.textnorm import fold
from handlers.engine.texts import label
from handlers.engine.types import Reply
from storage import review, submissions
from storage.models import Status, Submission

router = Router()
TEXT_LIMIT, POST_LIMIT = 1000, 3500


async def _target(ctx: Ctx, usage: str) -> tuple[Submission, str] | None:
    """The submission a command names, and the rest of its text; None after saying why."""
    if await role_of(ctx) is None:
        ctx.say("review/not_editor.j2")
        return None
    number, _, rest = ctx.event.args.strip().partition(" ")
    sid = numbers.number(number)
    sub = await submissions.get(ctx.session, submission_id=sid) if sid is not None else None
    if sub is None or sub.status in (Status.DRAFT, Status.CANCELLED):
        ctx.say("review/usage.j2", usage=usage, number=number)
        return None
    return sub, rest.strip()


@router.command("choduyet")
async def waiting(ctx: Ctx) -> None:
    if await role_of(ctx) is None:
        ctx.say("review/not_editor.j2")
        return
    await queue.show(ctx, with_buttons=False)


@router.command("xem")
async def show(ctx: Ctx) -> None:
    found = await _target(ctx, "xem")
    if found:
        card = await cards.card_reply(ctx.session, found[0], ctx.deps)
        ctx.replies.append(
            Reply(card.say, media=await cards.media_for(ctx.session, found[0], ctx.event.platform))
        )


@router.command("duyet")
async def approve(ctx: Ctx) -> None:
    """Approve; with a text this editor wrote by /sua just before, publish that text."""
    found = await _target(ctx, "duyet")
    if not found:
        return
    sub, rest = found
    sid = sub.id or 0
    confirmed = fold(rest) == "xac nhan" or fold(rest) == "xacnhan"
    if sub.status == Status.PENDING and sub.consent == "not_asked" and not confirmed:
        ctx.say("review/consent_confirm_text.j2", sid=sid)  # a second, explicit /duyet
        return
    pending = await review.get_input(ctx.session, **input_key(ctx))
    text = pending.data.get("text") if pending and pending.submission_id == sid else None
    await decisions.approve(
        ctx, sid, post_text=text if isinstance(text, str) else None, consent_confirmed=confirmed
    )


@router.command("tuchoi")
async def reject(ctx: Ctx) -> None:
    found = await _target(ctx, "tuchoi")
    if found and not 0 < len(found[1]) <= TEXT_LIMIT:
        ctx.say("review/usage.j2", usage="tuchoi", number=found[0].id)
    elif found:
        await decisions.reject(ctx, found[0].id or 0, found[1])


@router.command("bosung")
async def ask_more(ctx: Ctx) -> None:
    found = await _target(ctx, "bosung")
    if not found:
        return
    sub, rest = found
    wanted, _, note = rest.partition(":")
    names = {fold(label(f"field_{n}")): n for n in [s.value for s in PATHS[sub.path or "raw"]]}
    names |= {fold(label("field_media")): "media", "anh": "media", "video": "media"}
    fields = [names.get(fold(part)) for part in wanted.split(",") if part.strip()]
    if not fields or None in fields or len(note) > TEXT_LIMIT:
        ctx.say(
            "review/usage.j2",
            usage="bosung",
            number=sub.id,
            fields=[label(f"field_{n}") for n in names.values()],
        )
        return
    await decisions.ask_more(ctx, sub.id or 0, [f for f in fields if f], note.strip() or None)


@router.command("sua")
async def edit(ctx: Ctx) -> None:
    found = await _target(ctx, "sua")
    if found and not 0 < len(found[1]) <= POST_LIMIT:
        ctx.say("review/usage.j2", usage="sua", number=found[0].id)
    elif found:
        sub, text = found
        await review.set_input(
            ctx.session,
            **input_key(ctx),
            action="post_confirm",
            submission_id=sub.id or 0,
            data={"text": text},
        )
        post = await cards.post_say(ctx.session, sub, ctx.deps, text=text)
        ctx.say("review/post_preview_text.j2", **{**post.ctx, "sid": sub.id})
