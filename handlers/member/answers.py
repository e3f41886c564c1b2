"""The answers of Bước 2: the five basics of the raw path, or the link and the cảm nhận."""

from __future__ import annotations

import unicodedata

from handlers import fields
from handlers.engine.context import Ctx
from handlers.engine.router import Router
from handlers.engine.states import FIELD_STEPS, LIMITS, PATHS, Step, after
from handlers.engine.textnorm import has_forbidden
from handlers.member.links import Refused, read_link
from handlers.member.supplement import continue_or_preview
from storage import submissions

router = Router()
# What shows nothing on a screen: controls, format characters (zero-width space, ZWNJ, ZWJ,
# word joiner, BOM, soft hyphen), separators, combining marks with nothing to combine with.
_UNSEEN = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters that render as blanks: Hangul fillers, the braille blank.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


@router.prompt(*FIELD_STEPS)
async def ask_field(ctx: Ctx) -> None:
    draft = await ctx.draft()
    path = draft.path if draft and draft.path else "raw"
    fields = PATHS[path]
    step = ctx.step
    current = getattr(draft, step.value, None) if draft else None
    ctx.say(
        f"ask/{step.value}.j2",
        number=fields.index(step) + 1,
        total=len(fields),
        limit=LIMITS[step],
        current=current if ctx.data.get("editing") else None,
    )


def blank(text: str) -> bool:
    """Nothing a reader would see: empty, or only invisible characters."""
    return all(ch in _FILLERS or ch.isspace() or unicodedata.category(ch) in _UNSEEN for ch in text)


@router.input(*FIELD_STEPS)
async def answer_field(ctx: Ctx) -> None:
    step, event = ctx.step, ctx.event
    if event.text is None:
        ctx.say("need_text.j2", got=event.other or ("media" if event.media else "other"))
        return
    text = event.text.strip()
    if blank(text):
        ctx.say("empty_answer.j2")
        return
    if has_forbidden(text):  # no file could hold it (XML forbids it), nor PostgreSQL a NUL
        ctx.say("hidden_characters.j2")
        return
    if len(text) > LIMITS[step]:
        ctx.say("too_long.j2", limit=LIMITS[step], length=len(text))
        return
    draft = await ctx.draft()
    if draft is None or draft.path is None:  # the draft vanished (e.g. cancelled elsewhere)
        ctx.goto(Step.IDLE)
        ctx.say("draft_gone.j2")
        return
    if step == Step.LINK:
        link = read_link(text)
        if isinstance(link, Refused):
            ctx.say("not_a_link.j2" if link.why == "not_link" else "link_refused.j2", why=link.why)
            return
        trusted = ctx.org.is_trusted(link.host)
        await submissions.set_field(ctx.session, submission=draft, name=step.value, value=link.text)
        await submissions.set_field(
            ctx.session, submission=draft, name=fields.LINK_TRUSTED.name, value=trusted
        )
        if not trusted:
            ctx.say("link_untrusted.j2", domains=ctx.org.trusted_domains[:6])
    else:
        await submissions.set_field(ctx.session, submission=draft, name=step.value, value=text)
    if await continue_or_preview(ctx):
        return
    if ctx.data.get("editing"):
        await ctx.move(Step.PREVIEW)
    else:
        await ctx.move(after(draft.path, step))
