"""Photos and clips: encouraged, not required; an album arrives as several updates."""

from __future__ import annotations

from handlers.engine.context import Ctx
from handlers.engine.router import Router
from handlers.engine.states import MAX_MEDIA, MAX_MEDIA_BYTES, Step
from handlers.member.supplement import continue_or_preview
from storage import submissions
from storage.models import Media

router = Router()


def _buttons(ctx: Ctx, count: int) -> list[list]:  # type: ignore[type-arg]
    done = ctx.choice("media_done", "media", "done")
    skip = ctx.choice("media_skip", "media", "skip")
    return [[done]] if count else [[done, skip]]


@router.prompt(Step.MEDIA)
async def ask_media(ctx: Ctx) -> None:
    draft = await ctx.draft()
    count = await submissions.media_count(ctx.session, submission_id=draft.id or 0) if draft else 0
    ctx.say("media_ask.j2", count=count, limit=MAX_MEDIA, choices=_buttons(ctx, count))


@router.input(Step.MEDIA)
async def take_media(ctx: Ctx) -> None:
    event, draft = ctx.event, await ctx.draft()
    if draft is None or draft.id is None:
        ctx.goto(Step.IDLE)
        ctx.say("draft_gone.j2")
        return
    if not event.media:
        template = "media_text.j2" if event.text is not None else "media_wrong_kind.j2"
        count = await submissions.media_count(ctx.session, submission_id=draft.id)
        ctx.say(template, got=event.other, choices=_buttons(ctx, count))
        return
    count = await submissions.media_count(ctx.session, submission_id=draft.id)
    group = event.media[0].media_group_id
    # An album is several updates; answer its first part only, not once per photo.
    quiet = group is not None and await submissions.group_seen(
        ctx.session, submission_id=draft.id, media_group_id=group
    )
    added, refused_big, refused_full = 0, 0, 0
    for index, item in enumerate(event.media):
        if item.size is not None and item.size > MAX_MEDIA_BYTES:
            refused_big += 1
            continue
        if count + added >= MAX_MEDIA:
            refused_full += 1
            continue
        await submissions.add_media(
            ctx.session,
            item=Media(
                submission_id=draft.id,
                kind=item.kind,
                ref=item.ref,
                platform=event.platform,
                source_key=f"{event.update_key}:{index}",
                media_group_id=item.media_group_id,
                size=item.size,
            ),
        )
        added += 1
    total = count + added
    if refused_big:
        ctx.say("media_too_big.j2", limit_mb=MAX_MEDIA_BYTES // (1024 * 1024))
    if refused_full and not (quiet or ctx.data.get("told_full")):
        # Once while at this step: 30 photos past the limit get one answer, not 30.
        ctx.say("media_full.j2", limit=MAX_MEDIA, choices=_buttons(ctx, total))
        ctx.member.step_data = {**ctx.data, "told_full": True}
    if added and not quiet:
        ctx.say(
            "media_got.j2",
            count=total,
            limit=MAX_MEDIA,
            album=group is not None,
            choices=_buttons(ctx, total),
        )


@router.action("media", steps={Step.MEDIA})
async def media_done(ctx: Ctx, _arg: str) -> None:
    if not await continue_or_preview(ctx):
        await ctx.move(Step.PREVIEW)
