"""Editors set or correct an item's theme and its events: the card's "Chủ đề" button lists the
calendar's themes and the organisation's events, the current ones ticked; on a platform without
buttons, ``/suachude 27 [<mã chủ đề>] [dot <mã đợt>,<mã đợt> | dot -]``. Audited; the member is
not asked anything (the item keeps its place in the queue, the report follows)."""

from __future__ import annotations

from handlers import branches
from handlers.desk import cards
from handlers.desk.editor_commands import on_submission
from handlers.engine.card_actions import CardAction as A
from handlers.engine.card_actions import CardPress, button
from handlers.engine.context import Ctx
from handlers.engine.roles import audit
from handlers.engine.router import Router
from handlers.engine.texts import label
from handlers.engine.types import Choice, Reply
from handlers.org import OrgConfig, Theme
from handlers.org_dates import Event
from storage.models import Submission

router = Router()


def _themes(org: OrgConfig) -> list[Theme]:
    return [*org.themes, org.default_theme]


async def current(ctx: Ctx, sub: Submission) -> tuple[Theme, list[Event]]:
    codes = await branches.chain(ctx.session, sub.unit_code)
    return ctx.org.theme(sub.theme_key), branches.events_of(ctx.org, sub, codes, ctx.deps.tz)


async def set_theme(ctx: Ctx, sub: Submission, theme: Theme) -> bool:
    if sub.theme_key == theme.key:
        return False
    await audit(ctx, "theme_set", submission_id=sub.id, note=f"{sub.theme_key} → {theme.key}")
    sub.theme_key = theme.key
    ctx.session.add(sub)
    return True


async def set_events(ctx: Ctx, sub: Submission, keys: list[str]) -> bool:
    value = branches.events_value([e.key for e in ctx.org.events if e.key in keys])
    if sub.events == value:
        return False
    await audit(ctx, "events_set", submission_id=sub.id, note=f"{sub.events} → {value}")
    sub.events = value
    ctx.session.add(sub)
    return True


@router.card(A.THEME, A.THEME_SET, pending_only=False)
async def pick(ctx: Ctx, sub: Submission, press: CardPress) -> None:
    sid, themes, events = sub.id or 0, _themes(ctx.org), ctx.org.events
    theme, chosen = await current(ctx, sub)
    kind, index = press.arg[:1], press.arg[1:]
    if press.action == A.THEME_SET and index.isdigit():
        i = int(index)
        if kind == "t" and i < len(themes):
            await set_theme(ctx, sub, themes[i])
        elif kind == "e" and i < len(events):
            flipped, keys = events[i].key, [e.key for e in chosen]
            keys = [k for k in keys if k != flipped] if flipped in keys else [*keys, flipped]
            await set_events(ctx, sub, keys)
        theme, chosen = await current(ctx, sub)
    rows: list[list[Choice]] = [
        [button(("✅ " if t.key == theme.key else "") + t.title, A.THEME_SET, sid, f"t{i}")]
        for i, t in enumerate(themes)
    ]
    rows += [
        [button(("☑️ " if e in chosen else "⬜ ") + e.title, A.THEME_SET, sid, f"e{i}")]
        for i, e in enumerate(events)
    ]
    rows.append([button(label("back_card"), A.BACK, sid)])
    reply = await cards.card_reply(ctx.session, sub, ctx.deps, media=False)
    ctx.replies.append(Reply(reply.say, tuple(tuple(row) for row in rows), edit=True))


@on_submission("suachude")
async def by_text(ctx: Ctx, sub: Submission, rest: str) -> None:
    words, changed, unknown = rest.split(), False, []
    if words and words[0].lower() != "dot":
        found = next((t for t in _themes(ctx.org) if t.key == words[0].lower()), None)
        if found is None:
            unknown.append(words[0][:40])
        else:
            changed |= await set_theme(ctx, sub, found)
        words = words[1:]
    if words[:1] and words[0].lower() == "dot":
        keys = [k for k in ",".join(words[1:]).lower().split(",") if k and k != "-"]
        unknown += [k[:40] for k in keys if ctx.org.event(k) is None]
        if not unknown:
            changed |= await set_events(ctx, sub, keys)
    elif words:
        unknown.append(words[0][:40])
    theme, chosen = await current(ctx, sub)
    if changed:
        await cards.mirror_card(ctx.session, sub, ctx.deps, ctx.deps.clock())
    ctx.say(
        "review/theme.j2",
        sid=sub.id,
        theme=theme,
        events=chosen,
        changed=changed,
        unknown=unknown,
        themes=_themes(ctx.org),
        all_events=ctx.org.events,
    )
