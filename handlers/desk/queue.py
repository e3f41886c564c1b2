"""/choduyet in the editors' group: what waits, oldest first, and cards sent again on request."""

from __future__ import annotations

from handlers.desk import cards
from handlers.engine.card_actions import CardAction, button
from handlers.engine.context import Ctx
from handlers.engine.roles import audit
from handlers.engine.texts import label
from storage import outbox, review
from storage.models import Submission


async def show(ctx: Ctx, *, with_buttons: bool = True) -> None:
    rows = await review.waiting(ctx.session)
    now = ctx.deps.clock()
    items = [
        {"sub": sub, "hours": int((now - (sub.submitted_at or now)).total_seconds() // 3600)}
        for sub in rows
    ]
    problems = await outbox.problems(ctx.session)
    choices = [
        [button(label("resend_card").replace("#", f"#{sub.id}"), CardAction.RESEND, sub.id)]
        for sub in rows[:10]
    ]
    ctx.say(
        "review/queue.j2",
        items=items,
        problems=problems,
        choices=choices if with_buttons else [],
        buttons=with_buttons,
    )


async def resend(ctx: Ctx, sub: Submission) -> None:
    """A fresh card at the bottom of the chat; presses on the old one still work."""
    now = ctx.deps.clock()
    await cards.enqueue_card(ctx.session, sub, ctx.deps, reason=f":again:{int(now.timestamp())}")
    await audit(ctx, "resend_card", submission_id=sub.id)
    ctx.alert("review/card_resent.j2", sid=sub.id)
