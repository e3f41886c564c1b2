"""The editors' choice on personal data: masked in the post (the default) or kept, recorded.

Telegram: the button under a waiting card (``CardAction.PERSONAL`` with 1 keeps, 0 masks; the
target state, not a toggle, so a double press changes nothing twice). Zalo and other platforms
without buttons: ``/giu 27`` keeps, ``/che 27`` masks. Each change is one conditional UPDATE
and one audit row ("keep_personal" / "mask_personal")."""

from __future__ import annotations

from handlers.desk import cards, decisions
from handlers.engine import numbers
from handlers.engine.card_actions import CardAction, CardPress
from handlers.engine.context import Ctx
from handlers.engine.roles import audit, requires
from handlers.engine.router import Router
from handlers.privacy import personal_data
from storage import personal, submissions
from storage.models import Status, Submission

router = Router()


@router.card(CardAction.PERSONAL)
async def pressed(ctx: Ctx, sub: Submission, press: CardPress) -> None:
    """The button on the card (the press already checked: editors' group, editor, pending)."""
    if press.arg not in ("0", "1") or not personal_data.found_in(sub):
        ctx.alert("stale_button.j2")
        return
    await _choose(ctx, sub, keep=press.arg == "1")


@router.command("giu", "che")
@requires("editor")
async def typed(ctx: Ctx) -> None:
    command = ctx.event.command or "giu"
    number = ctx.event.args.strip()
    sid = numbers.number(number)
    sub = await submissions.get(ctx.session, submission_id=sid) if sid else None
    if sub is None or sub.status != Status.PENDING:
        ctx.say("review/personal_usage.j2", usage=command, number=number)
    elif not personal_data.found_in(sub):
        ctx.say("review/personal_none.j2", sid=sub.id)
    else:
        await _choose(ctx, sub, keep=command == "giu")


async def _choose(ctx: Ctx, sub: Submission, *, keep: bool) -> None:
    sid = sub.id or 0
    changed = await personal.set_keep(ctx.session, submission_id=sid, keep=keep)
    if not changed and sub.status != Status.PENDING:  # decided meanwhile (``sub`` refreshed)
        await decisions.lost_race(ctx, sid)
        return
    if changed:
        await audit(ctx, personal.KEEP if keep else personal.MASK, submission_id=sid)
    if ctx.event.group:
        if changed:  # else a second press: the card already shows it
            await decisions.refresh_card(ctx, sub)
        return
    if changed:
        await cards.mirror_card(ctx.session, sub, ctx.deps, ctx.deps.clock())
    ctx.say("review/personal_done.j2", sid=sid, keep=keep, card=sub.card_message_id is not None)
