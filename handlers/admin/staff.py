"""/bientap for admins: list, add and remove editors (and admins) kept in the database.

``/bientap them 123456789`` adds an editor of the admin's own platform,
``/bientap them zalo:abc admin`` an admin on another, ``/bientap xoa 123456789`` removes one,
also one of EDITOR_IDS / ADMIN_IDS (the removal is stored and overrides the environment;
``them`` restores). An admin cannot remove themselves (so the last admin stays).
"""

from __future__ import annotations

from handlers.engine.context import Ctx
from handlers.engine.roles import actor, audit, naming, person, requires
from handlers.engine.router import Router
from storage import review

router = Router()


@router.command("bientap")
@requires("admin")
async def manage(ctx: Ctx) -> None:
    words = ctx.event.args.split()
    verb = words[0].lower() if words else ""
    if verb in ("them", "xoa") and len(words) == 1 and ctx.event.reply_to_user:
        words.append(ctx.event.reply_to_user)  # named by replying to their message
    if verb not in ("them", "xoa") or len(words) < 2:
        ctx.say(
            "staff/list.j2",
            rows=await review.staff(ctx.session),
            removed=await review.staff(ctx.session, active=False),
            admins=sorted(ctx.deps.admins),
            editors=sorted(ctx.deps.editors),
            **naming(ctx),  # its usage line
        )
        return
    platform, user_id = person(ctx, words[1])
    role = words[2].lower() if len(words) > 2 else "editor"
    if platform not in ctx.deps.chat_platforms or not user_id or role not in ("editor", "admin"):
        ctx.say("staff/usage.j2", **naming(ctx))
        return
    target = f"{platform}:{user_id}"
    if verb == "xoa" and target == actor(ctx)[0]:
        # The last admin is always the one asking: removing anyone else leaves the asker.
        ctx.say("staff/refused_self.j2")
        return
    await review.set_staff(
        ctx.session,
        platform=platform,
        user_id=user_id,
        role=role if verb == "them" else None,
        added_by=actor(ctx)[0],
    )
    await audit(ctx, f"staff_{verb}", note=f"{target} {role}")
    ctx.say("staff/done.j2", added=verb == "them", target=target, role=role)
