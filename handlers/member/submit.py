"""Starting a submission: /gui, the kind (Tin tốt / Câu chuyện đẹp), the path of Bước 2, /huy."""

from __future__ import annotations

from handlers.engine.context import Ctx
from handlers.engine.router import Router
from handlers.engine.states import DRAFT_STEPS, PATHS, Step
from storage import submissions, units
from storage.models import Status

router = Router()


@router.command("gui")
async def begin(ctx: Ctx) -> None:
    if ctx.step in DRAFT_STEPS:
        ctx.say("draft_open.j2")  # one draft at a time: carry on where it stood
        await ctx.ask_again()
        return
    unit = await units.get(ctx.session, code=ctx.member.unit_code)
    if unit is None or not unit.active:
        ctx.say("unit_first.j2" if unit is None else "unit_gone.j2")
        await ctx.move(Step.UNIT, page=0, then="gui")
        return
    await ctx.move(Step.KIND)


@router.action("gui", draft_bound=False)
async def begin_from_button(ctx: Ctx, _arg: str) -> None:
    await begin(ctx)


@router.prompt(Step.KIND)
async def ask_kind(ctx: Ctx) -> None:
    ctx.say(
        "kind_pick.j2",
        hashtags=ctx.org.hashtags,
        choices=[
            [ctx.choice("kind_tin_tot", "kind", "tin_tot")],
            [ctx.choice("kind_cau_chuyen_dep", "kind", "cau_chuyen_dep")],
        ],
    )


@router.action("kind", steps={Step.KIND}, draft_bound=False)
async def pick_kind(ctx: Ctx, kind: str) -> None:
    if kind not in ("tin_tot", "cau_chuyen_dep"):
        ctx.alert("stale_button.j2")
        return
    assert ctx.member.id is not None
    draft = await submissions.create_draft(ctx.session, member_id=ctx.member.id, kind=kind)
    ctx.member.draft_id = draft.id
    await ctx.move(Step.PATH)


@router.prompt(Step.PATH)
async def ask_path(ctx: Ctx) -> None:
    draft = await ctx.draft()
    ctx.say(
        "path_pick.j2",
        kind=draft.kind if draft else "tin_tot",
        choices=[
            [ctx.choice("path_article", "path", "article")],
            [ctx.choice("path_raw", "path", "raw")],
        ],
    )


@router.action("path", steps={Step.PATH})
async def pick_path(ctx: Ctx, path: str) -> None:
    draft = await ctx.draft()
    if draft is None or path not in PATHS:
        ctx.alert("stale_button.j2")
        return
    await submissions.set_field(ctx.session, submission=draft, name="path", value=path)
    await ctx.move(PATHS[path][0])


@router.input(Step.KIND, Step.PATH)
async def expected_a_choice(ctx: Ctx) -> None:
    ctx.say("choose_button.j2")
    await ctx.ask_again()


@router.command("huy")
async def cancel(ctx: Ctx) -> None:
    draft = await ctx.draft()
    if draft is None and ctx.step == Step.IDLE:
        ctx.say("nothing_to_cancel.j2")
        return
    drafting = draft is not None and draft.status == Status.DRAFT
    if draft is not None and drafting:
        await submissions.cancel(ctx.session, submission=draft)
    ctx.member.draft_id = None
    ctx.goto(Step.IDLE)
    # A supplement is only paused: the submission stays with the editors' request.
    paused = draft.id if draft is not None and not drafting else None
    ctx.say(
        "cancelled.j2", had_draft=drafting, paused=paused, choices=[[ctx.choice("send", "gui")]]
    )
