"""Editors and admins on a platform without buttons (Zalo) act by text, in a private chat:
/choduyet, /xem 27, /duyet 27, /tuchoi 27 <lý do>, /bosung 27 <mục, mục>: <ghi chú>,
/sua 27 <nội dung>. The same role checks, single-decision rule and audit as the buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.desk import cards, decisions, queue
from handlers.engine import numbers
from handlers.engine.context import Ctx
from handlers.engine.roles import input_key, requires
from handlers.engine.router import Router
from handlers.engine.states import PATHS
from handlers.engine.textnorm import fold
from handlers.engine.texts import label
from handlers.engine.types import Reply
from storage import review, submissions
from storage.models import Status, Submission

router = Router()
TEXT_LIMIT, POST_LIMIT = decisions.TEXT_LIMIT, decisions.POST_LIMIT
OnSubmission = Callable[[Ctx, Submission, str], Awaitable[None]]


def on_submission(name: str) -> Callable[[OnSubmission], OnSubmission]:
    """``/<name> 27 …``, for editors: the handler gets #27 and the rest of the text; a number
    that names no sent submission is answered with the command's usage."""

    def register(handler: OnSubmission) -> OnSubmission:
        @router.command(name)
        @requires("editor")
        async def command(ctx: Ctx) -> None:
            number, _, rest = ctx.event.args.strip().partition(" ")
            sid = numbers.number(number)
            sub = await submissions.get(ctx.session, submission_id=sid) if sid else None
            if sub is None or sub.status in (Status.DRAFT, Status.CANCELLED):
                ctx.say("review/usage.j2", usage=name, number=number)
            else:
                await handler(ctx, sub, rest.strip())

        return handler

    return register


@router.command("choduyet")
@requires("editor")
async def waiting(ctx: Ctx) -> None:
    await queue.show(ctx, with_buttons=False)


@on_submission("xem")
async def show(ctx: Ctx, sub: Submission, _rest: str) -> None:
    card = await cards.card_reply(ctx.session, sub, ctx.deps, shown_on=ctx.event.platform)
    ctx.replies.append(Reply(card.say, media=card.media))  # no buttons: a command's answer


@on_submission("duyet")
async def approve(ctx: Ctx, sub: Submission, rest: str) -> None:
    """Approve; with a text this editor wrote by /sua just before, publish that text."""
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


@on_submission("tuchoi")
async def reject(ctx: Ctx, sub: Submission, reason: str) -> None:
    if not 0 < len(reason) <= TEXT_LIMIT:
        ctx.say("review/usage.j2", usage="tuchoi", number=sub.id)
    elif not decisions.refused_text(ctx, reason):
        await decisions.reject(ctx, sub.id or 0, reason)


@on_submission("bosung")
async def ask_more(ctx: Ctx, sub: Submission, rest: str) -> None:
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


@on_submission("sua")
async def edit(ctx: Ctx, sub: Submission, text: str) -> None:
    if not 0 < len(text) <= POST_LIMIT:
        ctx.say("review/usage.j2", usage="sua", number=sub.id)
    elif not decisions.refused_text(ctx, text):
        await review.set_input(
            ctx.session,
            **input_key(ctx),
            action="post_confirm",
            submission_id=sub.id or 0,
            data={"text": text},
        )
        post = await cards.post_say(ctx.session, sub, ctx.deps, text=text)
        ctx.say("review/post_preview_text.j2", **{**post.ctx, "sid": sub.id})
