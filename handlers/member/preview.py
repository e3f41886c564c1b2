"""The preview of the whole submission (as the editors will see it), Gửi, Sửa and Hủy."""

from __future__ import annotations

from handlers.desk import cards
from handlers.engine import roles
from handlers.engine.context import Ctx
from handlers.engine.router import Router
from handlers.engine.states import PATHS, Step
from handlers.member import consent
from handlers.member.submit import cancel
from handlers.merging import duplicates
from storage import review, submissions
from storage.models import Status

router = Router()


@router.prompt(Step.PREVIEW)
async def show_preview(ctx: Ctx) -> None:
    draft = await ctx.draft()
    if draft is None:
        ctx.goto(Step.IDLE)
        ctx.say("draft_gone.j2")
        return
    if await consent.needed(ctx, draft):  # every way to the preview passes here
        await ctx.move(Step.CONSENT)
        return
    card = await cards.card_context(ctx.session, draft, ctx.deps)
    ctx.say(
        "preview.j2",
        media=cards.showable(card["media_rows"], ctx.event.platform),
        choices=[
            [ctx.choice("send_now", "send")],
            [ctx.choice("edit", "edit"), ctx.choice("cancel", "cancel")],
        ],
        **card,
    )


@router.action("send", steps={Step.PREVIEW})
async def send(ctx: Ctx, _arg: str) -> None:
    draft = await ctx.draft()
    if draft is None or ctx.member.unit_code is None:
        ctx.alert("stale_button.j2")
        return
    if await consent.needed(ctx, draft):
        await ctx.move(Step.CONSENT)
        return
    again = draft.status == Status.NEEDS_INFO
    theme = ctx.org.theme(draft.theme_key) if again else ctx.org.theme_on(ctx.today)
    await submissions.submit(
        ctx.session,
        submission=draft,
        unit_code=draft.unit_code or ctx.member.unit_code,
        theme_key=theme.key,
    )
    await duplicates.mark(ctx.session, draft)  # looked for anew after a supplement too
    if again:
        draft.card_version += 1  # a new card for the editors; the old one says what was asked
        draft.keep_personal = False  # the editors' choice was about the text before the changes
        draft.reminded_at = None
        # The new card is recorded when it goes out (or by the first press on it).
        draft.card_chat_id = draft.card_message_id = None
        await review.audit(
            ctx.session,
            submission_id=draft.id,
            action="supplemented",
            actor=f"{ctx.event.platform}:{ctx.event.user_id}",
            actor_name=ctx.member.display_name,
        )
    await cards.enqueue_card(ctx.session, draft, ctx.deps)
    await cards.announce(
        ctx.session, draft, ctx.deps, await roles.text_editors(ctx.session, ctx.deps)
    )
    ctx.member.draft_id = None
    ctx.goto(Step.IDLE)
    ctx.say(
        "sent.j2",
        sub=draft,
        theme=theme,
        again=again,
        choices=[[ctx.choice("send_another", "gui")]],
    )


@router.action("cancel", steps={Step.PREVIEW})
async def cancel_button(ctx: Ctx, _arg: str) -> None:
    await cancel(ctx)


@router.action("edit", steps={Step.PREVIEW})
async def edit(ctx: Ctx, _arg: str) -> None:
    await ctx.move(Step.EDIT_PICK)


@router.prompt(Step.EDIT_PICK)
async def ask_which(ctx: Ctx) -> None:
    draft = await ctx.draft()
    fields = PATHS.get(draft.path or "raw", ()) if draft else ()
    choices = [[ctx.choice(f"field_{step.value}", "fix", step.value)] for step in fields]
    choices.append([ctx.choice("field_media", "fix", "media")])
    choices.append([ctx.choice("back", "fix", "back")])
    ctx.say("edit_pick.j2", choices=choices)


@router.action("fix", steps={Step.EDIT_PICK})
async def fix(ctx: Ctx, name: str) -> None:
    draft = await ctx.draft()
    fields = {step.value: step for step in PATHS.get(draft.path or "raw", ())} if draft else {}
    if name == "back":
        await ctx.move(Step.PREVIEW)
    elif name == "media":
        await ctx.move(Step.MEDIA, editing=True)
    elif name in fields:
        await ctx.move(fields[name], editing=True)
    else:
        ctx.alert("stale_button.j2")


@router.input(Step.PREVIEW, Step.EDIT_PICK)
async def expected_a_choice(ctx: Ctx) -> None:
    ctx.say("choose_button.j2")
    await ctx.ask_again()
