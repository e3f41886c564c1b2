"""What a member can ask at any time: /cuatoi, /chude, /huongdan (and /help)."""

from __future__ import annotations

from handlers.engine.context import Ctx
from handlers.engine.router import Router
from storage import submissions, units

router = Router()


@router.command("cuatoi")
async def my_submissions(ctx: Ctx) -> None:
    assert ctx.member.id is not None
    rows = await submissions.of_member(ctx.session, member_id=ctx.member.id)
    names = {unit.code: unit.name for unit in await units.active(ctx.session)}
    ctx.say("my_list.j2", rows=rows, units=names, tz=ctx.deps.tz)


@router.command("chude")
async def themes(ctx: Ctx) -> None:
    today = ctx.today
    upcoming = ctx.org.next_theme(today)
    ctx.say(
        "themes.j2",
        current=ctx.org.theme_on(today),
        next_theme=upcoming[0] if upcoming else None,
        next_start=upcoming[1] if upcoming else None,
        hashtags=ctx.org.hashtags,
    )


@router.command("toi")
async def whoami(ctx: Ctx) -> None:
    """The id an admin needs to make this person an editor (/bientap them ...)."""
    ctx.say(
        "whoami.j2", ident=f"{ctx.event.platform}:{ctx.event.user_id}", name=ctx.member.display_name
    )


@router.command("huongdan", "help")
async def guide(ctx: Ctx) -> None:
    ctx.say("guide.j2", org=ctx.org, choices=[[ctx.choice("send", "gui")]])
