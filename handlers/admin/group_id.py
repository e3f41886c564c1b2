"""/toi in a group: an admin learns the group's id to put in PUBLISH_TARGETS (a Zalo group
has no other way to show it; on Zalo the bot sees a group message only when mentioned)."""

from __future__ import annotations

from handlers.engine.context import Ctx
from handlers.engine.roles import role_of


async def answer(ctx: Ctx) -> None:
    """The id for an admin; a short refusal for an editor; nothing for anyone else, so that
    strangers in a public group cannot make the bot spend messages."""
    role = await role_of(ctx)
    if role == "admin":
        ctx.say("staff/group_id.j2", target=f"{ctx.event.platform}:{ctx.event.chat_id}")
    elif role is not None:
        ctx.say("staff/admins_only.j2")
