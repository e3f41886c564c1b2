"""/start, choosing the unit (paged buttons) and /donvi to change it."""

from __future__ import annotations

from typing import Any

from handlers.admin import units_admin
from handlers.engine import numbers
from handlers.engine.context import Ctx
from handlers.engine.router import Router
from handlers.engine.states import DRAFT_STEPS, Step
from handlers.engine.textnorm import fold
from handlers.engine.types import Choice
from storage import units

router = Router()


@router.command("start")
async def start(ctx: Ctx) -> None:
    unit = await units.get(ctx.session, code=ctx.member.unit_code)
    if unit is not None and not unit.active:  # deactivated by an admin: choose again
        unit = None
    if unit is None and ctx.step not in DRAFT_STEPS:
        # One message, the greeting above the units: when a whole meeting starts at once,
        # each member's first answer takes one place in the platform's budget, not two.
        ctx.goto(Step.UNIT, page=0, welcome=True)
        await show_units(ctx, greet=True)
        return
    menu = [[ctx.choice("send", "gui")]] if unit else []
    ctx.say("start.j2", unit=unit, choices=menu, **_welcome(ctx))


def _welcome(ctx: Ctx) -> dict[str, Any]:
    """What /start's greeting (``start.j2``) shows."""
    theme = ctx.org.theme_on(ctx.today)
    return {"member_name": ctx.member.display_name or "bạn", "org": ctx.org, "theme": theme}


@router.command("donvi")
async def change_unit(ctx: Ctx) -> None:
    if ctx.event.args.strip():  # /donvi ds, /donvi them ...: the admins' unit tools
        await units_admin.manage(ctx)
        return
    if ctx.step in DRAFT_STEPS:
        ctx.say("unit_busy.j2")
        await ctx.ask_again()
        return
    await ctx.move(Step.UNIT, page=0)


@router.prompt(Step.UNIT)
async def ask_unit(ctx: Ctx) -> None:
    await show_units(ctx)


async def show_units(ctx: Ctx, *, edit: bool = False, greet: bool = False) -> None:
    """The units' current page; with /start's greeting above it when ``greet``, and when a
    page of /start's message is turned (the greeting stays on the message)."""
    rows = await units.active(ctx.session)
    size = ctx.org.units_per_page
    pages = max(1, -(-len(rows) // size))
    page = min(max(int(ctx.data.get("page", 0)), 0), pages - 1)
    choices: list[list[Choice]] = [
        [ctx.choice("", "unit", row.code, text=row.name)]
        for row in rows[page * size : (page + 1) * size]
    ]
    nav = []
    if page > 0:
        nav.append(ctx.choice("page_prev", "unitpage", str(page - 1)))
    if page + 1 < pages:
        nav.append(ctx.choice("page_next", "unitpage", str(page + 1)))
    if nav:
        choices.append(nav)
    current = await units.get(ctx.session, code=ctx.member.unit_code)
    # Where buttons edit the message in place; a buttonless platform sends each page anew.
    kept = edit and bool(ctx.data.get("welcome")) and not ctx.event.numbered_choices
    welcome = greet or kept
    ctx.say(
        "unit_pick.j2",
        page=page + 1,
        pages=pages,
        current=current,
        choices=choices,
        edit=edit,
        welcome=welcome,
        **(_welcome(ctx) | {"unit": None} if welcome else {}),
    )


@router.action("unitpage", steps={Step.UNIT}, draft_bound=False)
async def turn_page(ctx: Ctx, arg: str) -> None:
    ctx.goto(Step.UNIT, **{**ctx.data, "page": numbers.number(arg) or 0})
    await show_units(ctx, edit=True)


@router.action("unit", steps={Step.UNIT}, draft_bound=False)
async def pick_unit(ctx: Ctx, code: str) -> None:
    unit = await units.get(ctx.session, code=code)
    if unit is None or not unit.active:
        ctx.alert("stale_button.j2")
        return
    then = ctx.data.get("then")
    ctx.member.unit_code = unit.code
    ctx.say("unit_saved.j2", unit=unit, then=then)
    if then == "gui":
        await ctx.move(Step.KIND)
    else:
        ctx.goto(Step.IDLE)


@router.input(Step.UNIT)
async def typed_unit(ctx: Ctx) -> None:
    """A unit typed by name ("an lac a") is as good as a press when it names exactly one."""
    wanted = fold(ctx.event.text or "")
    rows = await units.active(ctx.session) if wanted else []
    exact = [row for row in rows if fold(row.name) == wanted or row.code == wanted]
    found = exact or [row for row in rows if wanted in fold(row.name)]
    if len(found) == 1:
        await pick_unit(ctx, found[0].code)
        return
    ctx.say("unit_typed.j2", text=ctx.event.text or "", count=len(found))
    await show_units(ctx)
