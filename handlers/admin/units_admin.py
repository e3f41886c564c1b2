"""/donvi with arguments, for admins: list, add, rename, deactivate and move units.

``/donvi ds`` · ``/donvi them <mã> <tên>`` · ``/donvi doiten <mã> <tên mới>`` ·
``/donvi ngung <mã>`` · ``/donvi mo <mã>`` · ``/donvi cha <mã> <mã đơn vị cấp trên | ->`` ·
``/donvi sodoanvien <mã> <số | ->`` (the unit's headcount)
"""

from __future__ import annotations

import re

from handlers.engine.context import Ctx
from handlers.engine.roles import audit, requires
from storage import units

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@requires("admin")
async def manage(ctx: Ctx) -> None:
    verb, _, rest = ctx.event.args.strip().partition(" ")
    code, _, text = rest.strip().partition(" ")
    code, text, verb = code.lower(), text.strip(), verb.lower()
    if verb == "ds":
        ctx.say("units/list.j2", rows=await units.every(ctx.session))
        return
    done = False
    if verb == "them" and CODE.match(code) and 2 <= len(text) <= 120:
        done = await units.add(ctx.session, code=code, name=text, parent=None)
    elif verb == "doiten" and 2 <= len(text) <= 120:
        done = await units.change(ctx.session, code=code, name=text)
    elif verb in ("ngung", "mo") and code:
        done = await units.change(ctx.session, code=code, active=verb == "mo")
    elif verb == "cha" and code and text:
        parent_ok = text == "-" or await units.get(ctx.session, code=text) is not None
        done = (
            parent_ok
            and text != code
            and await units.change(
                ctx.session, code=code, parent_code=None if text == "-" else text
            )
        )
    elif verb == "sodoanvien" and code and (text == "-" or (text.isdigit() and len(text) <= 7)):
        # The unit's headcount for participation; "-": the organisation file's again.
        members = None if text == "-" else int(text)
        done = await units.change(ctx.session, code=code, members=members)
    else:
        ctx.say("units/usage.j2")
        return
    if done:
        await audit(ctx, f"unit_{verb}", note=f"{code} {text}".strip())
    ctx.say("units/done.j2", done=done, verb=verb, code=code, text=text)
