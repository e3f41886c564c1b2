"""The editors' group: the buttons on the cards and the questions they lead to.

Every press is checked on the server: it must come from the editors' chat and from an editor
or admin; anyone else gets a short alert and nothing changes. What an editor is asked to type
(a reason, a note, the post text) is remembered in the database per editor and chat.
"""

from __future__ import annotations

from typing import Any

from handlers.admin import staff
from handlers.desk import cards, decisions, queue
from handlers.engine import numbers
from handlers.engine.card_actions import ACTIONS
from handlers.engine.context import Ctx
from handlers.engine.roles import input_key, role_of
from handlers.engine.states import PATHS
from handlers.engine.texts import label
from handlers.engine.types import Choice, Reply, Say
from storage import review, submissions
from storage.models import Status, Submission

TEXT_LIMIT = 1000  # a reason or a note
POST_LIMIT = 3500  # the editors' post text: room left for the hashtags under Telegram's 4096


async def on_group(ctx: Ctx) -> None:
    event = ctx.event
    if ctx.deps.editor_chat is None or event.chat_id != ctx.deps.editor_chat:
        return  # some other group: not ours to answer
    role = await role_of(ctx)
    if event.choice is not None:
        if role is None:
            ctx.alert("review/not_editor.j2")
        else:
            await _press(ctx, event.choice)
    elif role is not None and event.command == "choduyet":
        await queue.show(ctx)
    elif role == "admin" and event.command == "bientap":
        await staff.manage(ctx)
    elif role is not None and event.command is None and event.text is not None:
        await _typed(ctx, event.text.strip())


async def resync(ctx: Ctx) -> None:
    """A press handled by a worker that died before its answer: the card it edited may
    still show the buttons, so it is shown again as it now stands."""
    _, _, sub = await _pressed(ctx, ctx.event.choice or "")
    if sub is not None:
        await cards.mirror_card(ctx.session, sub, ctx.deps, ctx.deps.clock())


async def _pressed(ctx: Ctx, data: str) -> tuple[str, str, Submission | None]:
    """(action, argument, submission) of a card button ``rv:<action>:<id>[:<arg>]``; no
    submission when the data is not a card button's or names none."""
    prefix, action, sub_id, arg = [*data.split(":"), "", "", ""][:4]
    sid = numbers.number(sub_id)
    if prefix != "rv" or sid is None:
        return action, arg, None
    return action, arg, await submissions.get(ctx.session, submission_id=sid)


async def _press(ctx: Ctx, data: str) -> None:
    action, arg, sub = await _pressed(ctx, data)
    if sub is None or sub.id is None:
        ctx.alert("stale_button.j2")
        return
    sid = sub.id
    if action == "pn":
        await decisions.post_now(ctx, sid, ctx.deps.clock())
    elif action == "rc":
        await queue.resend(ctx, sub)
    elif sub.status != Status.PENDING:
        await decisions.lost_race(ctx, sid)
    elif action == "ok" and sub.consent == "not_asked":
        await _buttons(ctx, sub, _confirm(ctx, sid))  # approving needs a second press
    elif action in ("ok", "oc"):
        await decisions.approve(ctx, sid, consent_confirmed=action == "oc")
    elif action == "no":
        await _buttons(ctx, sub, _reasons(ctx, sid))
    elif (
        action == "nr"
        and (pick := numbers.number(arg)) is not None
        and pick < len(ctx.org.review.reject_reasons)
    ):
        await decisions.reject(ctx, sid, ctx.org.review.reject_reasons[pick])
    elif action in ("nt", "ed"):
        what = "reject_reason" if action == "nt" else "post_text"
        await review.set_input(ctx.session, **input_key(ctx), action=what, submission_id=sid)
        template = "review/ask_reason.j2" if action == "nt" else "review/ask_post.j2"
        limit = TEXT_LIMIT if action == "nt" else POST_LIMIT
        ctx.replies.append(Reply(Say(template, {"sid": sid, "limit": limit}), force_reply=True))
    elif action in ("mi", "mf"):
        await _toggle(ctx, sub, arg if action == "mf" else None)
    elif action == "mn":
        await _ask_note(ctx, sid)
    elif action in ("pb", "pc"):
        pending = await review.get_input(ctx.session, **input_key(ctx))
        text = pending.data.get("text") if pending and pending.submission_id == sid else None
        if not isinstance(text, str):
            ctx.alert("stale_button.j2")
        elif action == "pb" and sub.consent == "not_asked":
            rows = tuple(tuple(row) for row in _confirm(ctx, sid, "pc"))
            ctx.replies.append(
                Reply(Say("review/consent_confirm.j2", {"sid": sid}), rows, edit=True)
            )
        elif await decisions.approve(ctx, sid, post_text=text, consent_confirmed=action == "pc"):
            ctx.replies.append(Reply(Say("review/edited_done.j2", {"sid": sid}), edit=True))
    elif action in ("bk", "cx"):
        await review.clear_input(ctx.session, **input_key(ctx))
        await decisions.refresh_card(ctx, sub)
    elif action in ACTIONS:
        await ACTIONS[action](ctx, sub, arg)
    else:
        ctx.alert("stale_button.j2")


def _confirm(ctx: Ctx, sid: int, action: str = "oc") -> list[list[Choice]]:
    return [
        [Choice(label("approve_anyway"), f"rv:{action}:{sid}")],
        [Choice(label("back_card"), f"rv:bk:{sid}")],
    ]


def _reasons(ctx: Ctx, sid: int) -> list[list[Choice]]:
    presets = ctx.org.review.reject_reasons
    rows = [[Choice(text, f"rv:nr:{sid}:{i}")] for i, text in enumerate(presets)]
    rows.append([Choice(label("other_reason"), f"rv:nt:{sid}")])
    rows.append([Choice(label("back_card"), f"rv:bk:{sid}")])
    return rows


async def _buttons(ctx: Ctx, sub: Submission, rows: list[list[Choice]]) -> None:
    """Swap the card's buttons in place; its text stays."""
    reply = await cards.card_reply(ctx.session, sub, ctx.deps, media=False)
    ctx.replies.append(Reply(reply.say, tuple(tuple(row) for row in rows), edit=True))


async def _chosen_fields(ctx: Ctx, sid: int) -> list[str]:
    pending = await review.get_input(ctx.session, **input_key(ctx))
    if pending is None or pending.submission_id != sid:
        return []
    fields = pending.data.get("fields", [])
    return [str(name) for name in fields] if isinstance(fields, list) else []


async def _toggle(ctx: Ctx, sub: Submission, name: str | None) -> None:
    """Yêu cầu bổ sung: tick the fields the member must answer again."""
    sid = sub.id or 0
    names = [step.value for step in PATHS.get(sub.path or "raw", ())] + ["media"]
    chosen = await _chosen_fields(ctx, sid) if name is not None else []
    if name in names:
        chosen = [n for n in chosen if n != name] if name in chosen else [*chosen, name]
    await review.set_input(
        ctx.session,
        **input_key(ctx),
        action="more_fields",
        submission_id=sid,
        data={"fields": chosen},
    )
    rows = [
        [Choice(("☑️ " if n in chosen else "⬜ ") + label(f"field_{n}"), f"rv:mf:{sid}:{n}")]
        for n in names
    ]
    rows.append(
        [Choice(label("next_note"), f"rv:mn:{sid}"), Choice(label("back_card"), f"rv:bk:{sid}")]
    )
    await _buttons(ctx, sub, rows)


async def _ask_note(ctx: Ctx, sid: int) -> None:
    fields = await _chosen_fields(ctx, sid)
    if not fields:
        ctx.alert("review/need_fields.j2")
        return
    await review.set_input(
        ctx.session,
        **input_key(ctx),
        action="more_note",
        submission_id=sid,
        data={"fields": fields},
    )
    ctx.replies.append(
        Reply(Say("review/ask_note.j2", {"sid": sid, "limit": TEXT_LIMIT}), force_reply=True)
    )


async def _typed(ctx: Ctx, text: str) -> None:
    """An editor's message answers the question the bot last asked them here, if any."""
    pending = await review.get_input(ctx.session, **input_key(ctx))
    if pending is None:
        return  # ordinary talk among the editors
    sid, limit = pending.submission_id, POST_LIMIT if pending.action == "post_text" else TEXT_LIMIT
    if not text or len(text) > limit:
        ctx.say("review/bad_text.j2", limit=limit, length=len(text))
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
        await decisions.ask_more(ctx, sid, await _chosen_fields(ctx, sid), note)
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
                [Choice(label("publish"), f"rv:pb:{sid}")],
                [Choice(label("redo"), f"rv:ed:{sid}"), Choice(label("cancel"), f"rv:cx:{sid}")],
            ],
        )
