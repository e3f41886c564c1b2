"""Consent of the people shown: asked once, before the preview, when a submission carries
photos or clips (children, people receiving aid). The editors' card shows the answer, and
approving an item whose member had not asked takes a second, audited confirmation."""

from __future__ import annotations

from handlers.engine.context import Ctx
from handlers.engine.router import Router
from handlers.engine.states import Step
from storage import submissions
from storage.models import Submission

router = Router()
ANSWERS = ("yes", "not_asked", "no_people")


async def needed(ctx: Ctx, draft: Submission) -> bool:
    """Photos or clips and no answer yet."""
    if draft.consent is not None or draft.id is None:
        return False
    return await submissions.media_count(ctx.session, submission_id=draft.id) > 0


@router.prompt(Step.CONSENT)
async def ask(ctx: Ctx) -> None:
    rows = [[ctx.choice(f"consent_{answer}", "consent", answer)] for answer in ANSWERS]
    ctx.say("consent_ask.j2", choices=rows)


@router.input(Step.CONSENT)
async def typed(ctx: Ctx) -> None:
    ctx.say("consent_pick.j2")
    await ctx.ask_again()


@router.action("consent", steps={Step.CONSENT})
async def chosen(ctx: Ctx, answer: str) -> None:
    draft = await ctx.draft()
    if draft is None or answer not in ANSWERS:
        ctx.alert("stale_button.j2")
        return
    draft.consent = answer
    ctx.session.add(draft)
    await ctx.move(Step.PREVIEW)
