"""/cam and /bocam for admins; a banned member is answered once, politely, then ignored."""

from __future__ import annotations

from handlers.engine.context import Ctx
from handlers.engine.roles import actor, audit, naming, person, requires
from handlers.engine.router import Router
from storage import bans

router = Router()


async def stopped(ctx: Ctx) -> bool:
    """True when the sender is banned: they get one notice, then silence."""
    if ctx.banned is False:  # read with the member's row, in this transaction
        return False
    row = await bans.active(ctx.session, platform=ctx.event.platform, user_id=ctx.event.user_id)
    if row is None:
        return False
    if not row.notified:
        row.notified = True
        ctx.session.add(row)
        ctx.say("ban/notice.j2")
    return True


@router.command("cam", "bocam")
@requires("admin")
async def manage(ctx: Ctx) -> None:
    word, _, reason = ctx.event.args.strip().partition(" ")
    if not word:
        rows = await bans.listing(ctx.session)
        ctx.say("ban/list.j2", rows=rows, tz=ctx.deps.tz, **naming(ctx))  # with the usage line
        return
    platform, user_id = person(ctx, word)
    who = actor(ctx)[0]
    if not user_id or (ctx.event.command == "cam" and f"{platform}:{user_id}" in ctx.deps.admins):
        ctx.say("ban/usage.j2", **naming(ctx))
        return
    if ctx.event.command == "cam":
        done = await bans.ban(
            ctx.session, platform=platform, user_id=user_id, reason=reason.strip()[:500], by=who
        )
    else:
        done = await bans.lift(ctx.session, platform=platform, user_id=user_id)
    if done:
        await audit(ctx, f"ban_{ctx.event.command}", note=f"{platform}:{user_id} {reason}")
    ctx.say(
        "ban/done.j2",
        banned=ctx.event.command == "cam",
        changed=done,
        target=f"{platform}:{user_id}",
    )
