"""/lienhe for admins: the contact people of a unit, who get its weekly nudge.

``/lienhe`` lists every unit's contacts; ``/lienhe <mã đơn vị>`` one unit's;
``/lienhe <mã> them telegram:123`` adds, ``/lienhe <mã> xoa zalo:abc`` removes
(a bare id is of the admin's own platform).
"""

from __future__ import annotations

from handlers.engine.context import Ctx
from handlers.engine.roles import actor, audit, person, requires
from handlers.engine.router import Router
from storage import contacts, units

router = Router()
VERBS = {"them": "add", "xoa": "remove"}


@router.command("lienhe")
@requires("admin")
async def manage(ctx: Ctx) -> None:
    words = ctx.event.args.split()
    if not words:
        every = await contacts.every(ctx.session)
        rows = [(u, every.get(u.code, [])) for u in await units.active(ctx.session)]
        ctx.say("staff/contacts_list.j2", rows=rows, chats=ctx.deps.chat_platforms)
        return
    unit = await units.get(ctx.session, code=words[0].lower())
    verb = VERBS.get(words[1].lower()) if len(words) == 3 else None
    if unit is None or (len(words) > 1 and verb is None):
        chats, unknown = ctx.deps.chat_platforms, None if unit else words[0][:40]
        ctx.say("staff/contacts_usage.j2", unknown=unknown, chats=chats)
        return
    if verb is None:
        ctx.say(
            "staff/contacts_list.j2",
            rows=[(unit, await contacts.of_unit(ctx.session, unit_code=unit.code))],
            chats=ctx.deps.chat_platforms,
        )
        return
    platform, user_id = person(ctx, words[2])
    if platform not in ctx.deps.chat_platforms or not user_id or len(user_id) > 64:
        ctx.say("staff/contacts_usage.j2", unknown=None, chats=ctx.deps.chat_platforms)
        return
    who = f"{platform}:{user_id}"
    if verb == "add":
        changed = await contacts.add(ctx.session, unit_code=unit.code, who=who, by=actor(ctx)[0])
    else:
        changed = await contacts.remove(ctx.session, unit_code=unit.code, who=who)
    if changed:
        await audit(ctx, f"contact_{verb}", note=f"{unit.code} {who}")
    ctx.say(
        "staff/contacts_done.j2",
        added=verb == "add",
        changed=changed,
        who=who,
        unit=unit.name,
        limit=contacts.LIMIT,
    )
