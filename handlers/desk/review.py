"""The editors' group: presses on the cards' buttons, and the answers the buttons asked for.

Every press is checked on the server: it must come from the editors' chat and from an editor
or admin; anyone else gets a short alert and nothing changes. The buttons themselves are
registered by feature (``handlers.desk.buttons``, merging, personal data) and handed in by
``handlers.wiring``. What an editor is asked to type (a reason, a note, the post text) is
remembered in the database per editor and chat.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.admin import group_id, staff
from handlers.desk import buttons, cards, decisions, queue, takedown
from handlers.engine.card_actions import CardAction, CardPress, button
from handlers.engine.context import Ctx
from handlers.engine.roles import input_key, role_of
from handlers.engine.router import CardRoute
from handlers.engine.texts import label
from storage import review, submissions
from storage.models import Status, Submission


async def on_group(ctx: Ctx, routes: Mapping[CardAction, CardRoute]) -> None:
    event = ctx.event
    if event.command == "toi":  # an admin learns the group's id, for PUBLISH_TARGETS
        await group_id.answer(ctx)
        return
    if ctx.deps.editor_chat is None or event.chat_id != ctx.deps.editor_chat:
        return  # some other group: not ours to answer
    role = await role_of(ctx)
    if event.choice is not None:
        if role is None:
            ctx.alert("review/not_editor.j2")
        else:
            await press(ctx, routes, CardPress.parse(event.choice))
    elif role is not None and event.command == "choduyet":
        await queue.show(ctx)
    elif role == "admin" and event.command == "bientap":
        await staff.manage(ctx)
    elif role is not None and event.command == "gobai":  # as in a private chat
        await takedown.take_down_command(ctx)
    elif role is not None and event.command == "suabai":
        await takedown.correct_command(ctx)
    elif role is not None and event.command is None and event.text is not None:
        await _typed(ctx, event.text.strip())


async def press(
    ctx: Ctx, routes: Mapping[CardAction, CardRoute], pressed: CardPress | None
) -> None:
    sub = await _pressed(ctx, pressed)
    route = routes.get(pressed.action) if pressed is not None else None
    if pressed is None or route is None or sub is None or sub.id is None:
        ctx.alert("stale_button.j2")
    elif route.pending_only and sub.status != Status.PENDING:
        await decisions.lost_race(ctx, sub.id)
    else:
        await route.handler(ctx, sub, pressed)


async def resync(ctx: Ctx) -> None:
    """A press handled by a worker that died before its answer: the card it edited may
    still show the buttons, so it is shown again as it now stands."""
    sub = await _pressed(ctx, CardPress.parse(ctx.event.choice))
    if sub is not None:
        await cards.mirror_card(ctx.session, sub, ctx.deps, ctx.deps.clock())


async def _pressed(ctx: Ctx, pressed: CardPress | None) -> Submission | None:
    if pressed is None:
        return None
    return await submissions.get(ctx.session, submission_id=pressed.submission_id)


async def _typed(ctx: Ctx, text: str) -> None:
    """An editor's message answers the question the bot last asked them here, if any."""
    pending = await review.get_input(ctx.session, **input_key(ctx))
    if pending is None:
        return  # ordinary talk among the editors
    sid = pending.submission_id
    limit = decisions.POST_LIMIT if pending.action == "post_text" else decisions.TEXT_LIMIT
    if not text or len(text) > limit:
        ctx.say("review/bad_text.j2", limit=limit, length=len(text))
        return
    if decisions.refused_text(ctx, text):
        return
    sub = await submissions.get(ctx.session, submission_id=sid)
    if sub is None or sub.status != Status.PENDING:
        await review.clear_input(ctx.session, **input_key(ctx))
        await decisions.lost_race(ctx, sid)
        return
    if pending.action == "reject_reason":
        await decisions.reject(ctx, sid, text)
    elif pending.action == "more_note":
        note = None if text in ("-", "—") else text
        await decisions.ask_more(ctx, sid, await buttons.chosen_fields(ctx, sid), note)
    elif pending.action == "post_text":
        await review.set_input(
            ctx.session,
            **input_key(ctx),
            action="post_confirm",
            submission_id=sid,
            data={"text": text},
        )
        post = await cards.post_say(ctx.session, sub, ctx.deps, text=text)
        context: dict[str, Any] = {**post.ctx, "sid": sid}
        ctx.say(
            "review/post_preview.j2",
            **context,
            choices=[
                [button(label("publish"), CardAction.PUBLISH, sid)],
                [
                    button(label("redo"), CardAction.EDIT_POST, sid),
                    button(label("cancel"), CardAction.CANCEL, sid),
                ],
            ],
        )
