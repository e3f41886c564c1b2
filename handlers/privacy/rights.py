"""A member's rights over what they sent: withdraw a waiting submission (/rut 27), and be
forgotten (/xoadulieu, confirmed twice). See ``handlers.privacy.erasure`` for what each one does."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.engine import numbers
from handlers.engine.context import Ctx
from handlers.engine.roles import actor
from handlers.engine.router import Router
from handlers.engine.states import Step
from handlers.privacy import erasure
from storage import rights, submissions
from storage.models import Status
from storage.retention import GIVEN_UP

router = Router()
CONFIRM_WITHIN = timedelta(minutes=10)  # between the first press and the final one


@router.command("rut")
async def withdraw(ctx: Ctx) -> None:
    assert ctx.member.id is not None
    number = ctx.event.args.strip().removeprefix("#")
    sid = numbers.number(number)
    if sid is None:
        rows = await rights.waiting_of(ctx.session, member_id=ctx.member.id)
        ctx.say("rights/withdraw.j2", outcome="usage", typed=number, rows=rows, tz=ctx.deps.tz)
        return
    sub = await submissions.get(ctx.session, submission_id=sid)
    if sub is None or sub.member_id != ctx.member.id or sub.status in GIVEN_UP:
        # The same answer whether it is someone else's or does not exist: nothing leaks.
        ctx.say("rights/withdraw.j2", outcome="unknown", sid=number)
        return
    supplementing = ctx.member.draft_id == sub.id
    who, name = actor(ctx)
    done = await erasure.withdraw(
        ctx.session,
        sub,
        ctx.deps,
        member=ctx.member,
        actor=who,
        actor_name=name,
        now=ctx.deps.clock(),
    )
    if not done:
        await ctx.session.refresh(sub)
        outcome = "already" if sub.status == Status.WITHDRAWN else "decided"
        ctx.say("rights/withdraw.j2", outcome=outcome, sid=sub.id, status=sub.status)
        return
    ctx.say("rights/withdraw.j2", outcome="done", sid=sub.id)
    if supplementing:
        ctx.goto(Step.IDLE)


@router.command("xoadulieu")
async def forget_ask(ctx: Ctx) -> None:
    ctx.say(
        "rights/forget_ask.j2",
        choices=[
            [ctx.choice("forget_continue", "forget", "go")],
            [ctx.choice("forget_no", "forget", "no")],
        ],
    )


@router.action("forget", draft_bound=False)
async def forget_press(ctx: Ctx, answer: str) -> None:
    """First press: the final question, remembered in the member's row; final press: only
    within minutes of a first one, so an old or forged "yes" erases nothing."""
    now = ctx.deps.clock()
    if answer == "go":
        _remember(ctx, now.isoformat())
        ctx.say(
            "rights/forget_confirm.j2",
            choices=[
                [ctx.choice("forget_yes", "forget", "yes")],
                [ctx.choice("forget_no", "forget", "no")],
            ],
        )
    elif answer == "yes" and _confirmed(ctx, now):
        erased, withdrawn = await erasure.forget(
            ctx.session, ctx.member, ctx.deps, update_key=ctx.event.update_key
        )
        ctx.say("rights/forgotten.j2", erased=erased, withdrawn=withdrawn)
    elif answer == "yes":
        ctx.alert("rights/forget_expired.j2")
    else:
        _remember(ctx, None)
        ctx.say("rights/forget_kept.j2")
        if ctx.step != Step.IDLE:
            await ctx.ask_again()


def _remember(ctx: Ctx, first_press: str | None) -> None:
    """Kept beside the step's own data, which a step change replaces (and so forgets)."""
    data = {key: value for key, value in ctx.data.items() if key != "forget_at"}
    ctx.member.step_data = {**data, "forget_at": first_press} if first_press else data


def _confirmed(ctx: Ctx, now: datetime) -> bool:
    first = ctx.data.get("forget_at")
    try:
        at = datetime.fromisoformat(first) if isinstance(first, str) else None
    except ValueError:
        return False
    return at is not None and timedelta(0) <= now - at <= CONFIRM_WITHIN
