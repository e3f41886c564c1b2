"""The board's downloads (the workbook and the chart of any period, /report's own files) and
its contacts form (the same change as /lienhe)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.web.board import pages
from handlers.reports.events import EventUnknown, parse_event, wants_event
from handlers.reports.periods import PeriodError, UnitNotFound, parse_period
from handlers.reports.report import build_report, report_files
from storage import contacts, review, units

if TYPE_CHECKING:
    from bot.web.board.routes import Signed

TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def download(request: web.Request, signed: Signed) -> web.StreamResponse:
    """``?ky=thang 10/2026&dang=xlsx|png``: the period in /report's words."""
    deps = signed.board.deps
    staff = signed.role == "admin" or (signed.role == "editor" and deps.org.reports.editors_allowed)
    if not staff and not signed.units:
        return pages.refused("role", status=403)
    today = deps.clock().astimezone(deps.tz).date()
    words = request.query.get("ky", "")[:100]
    roots = signed.units or None  # a secretary: their units' subtrees only
    try:
        event = None
        if wants_event(words):  # "dot <key> [năm]": an event's report
            period, event = parse_event(words, org=deps.org, today=today, tz=deps.tz)
            unit = None
        else:
            period, unit = parse_period(words, today=today, tz=deps.tz)
        async with signed.board.sessions() as session:
            report = await build_report(
                session, deps=deps, period=period, unit=unit, roots=roots, event=event
            )
    except (PeriodError, UnitNotFound, EventUnknown):
        return pages.refused("period", status=400)
    wanted = "photo" if request.query.get("dang") == "png" else "document"
    found = next(f for f in await report_files(report) if f.kind == wanted)
    kind = TYPES["xlsx"] if wanted == "document" else "image/png"
    return web.Response(
        body=found.data,
        content_type=kind,
        headers={"Content-Disposition": f'attachment; filename="{found.name}"'},
    )


async def contact(request: web.Request, signed: Signed) -> web.StreamResponse:
    if signed.role != "admin":
        return pages.refused("role", status=403)
    form = await request.post()
    code, who = str(form.get("donvi", ""))[:32], str(form.get("nguoi", "")).strip()[:96]
    platform, _, user_id = who.partition(":")
    chats = signed.board.deps.chat_platforms
    async with signed.board.sessions() as session, session.begin():
        if await units.get(session, code=code) is None or platform not in chats:
            return pages.refused("contact", status=400, chats=chats)
        if not user_id:
            return pages.refused("contact", status=400, chats=chats)
        if form.get("viec") == "xoa":
            await contacts.remove(session, unit_code=code, who=who)
        else:
            await contacts.add(session, unit_code=code, who=who, by=signed.who)
        await review.audit(
            session,
            submission_id=None,
            actor=signed.who,
            actor_name="",
            action="contact_web",
            note=f"{code} {who}",
        )
    raise web.HTTPSeeOther("/quantri#donvi")
