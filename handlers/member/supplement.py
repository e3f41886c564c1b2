"""Yêu cầu bổ sung, the member's side: reopen exactly the fields the editors named, then the
same submission goes back to the queue with a fresh card."""

from __future__ import annotations

from handlers.engine import numbers
from handlers.engine.context import Ctx
from handlers.engine.router import Router
from handlers.engine.states import DRAFT_STEPS, Step
from storage import submissions
from storage.models import Status

router = Router()


def next_step(fields: list[str]) -> tuple[Step, list[str]]:
    """The step for the first requested field, and those left after it."""
    head, rest = fields[0], fields[1:]
    return (Step.MEDIA if head == "media" else Step(head)), rest


async def continue_or_preview(ctx: Ctx) -> bool:
    """After one answer: on to the next requested field; True when this is a supplement."""
    if "supplement" not in ctx.data:
        return False
    remaining = [str(name) for name in ctx.data["supplement"]]
    if remaining:
        step, rest = next_step(remaining)
        await ctx.move(step, editing=True, supplement=rest)
    else:
        await ctx.move(Step.PREVIEW)
    return True


@router.action("sup", draft_bound=False)
async def start_supplement(ctx: Ctx, arg: str) -> None:
    sub = await submissions.get(ctx.session, submission_id=numbers.number(arg))
    if sub is None or sub.member_id != ctx.member.id or sub.status != Status.NEEDS_INFO:
        ctx.alert("stale_button.j2")
        return
    if ctx.step in DRAFT_STEPS and ctx.member.draft_id != sub.id:
        ctx.say("supplement_busy.j2", sid=sub.id)
        await ctx.ask_again()
        return
    ctx.member.draft_id = sub.id
    fields = [str(name) for name in sub.info_fields or []] or ["media"]
    ctx.say("supplement_start.j2", sub=sub, note=sub.info_note)
    step, rest = next_step(fields)
    await ctx.move(step, editing=True, supplement=rest)
