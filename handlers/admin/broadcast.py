"""/thongbao for admins: a word from the office to the contacts (secretaries) of a unit and its
sub-units, or of every unit (``tatca``), through the outbox: each contact once, at the pace and
within the quota each platform's worker keeps. ``/thongbao ketqua``: who received the last one
and who could not be reached."""

from __future__ import annotations

from collections import Counter

from handlers.engine.context import Ctx
from handlers.engine.roles import audit, requires
from handlers.engine.router import Router
from handlers.reports.unit_figures import subtree
from storage import broadcasts, contacts, outbox, units
from storage.models import OutboxStatus

router = Router()
TEXT_LIMIT = 1500  # under the smallest platform's message limit, with the heading
EVERY = "tatca"
RESULT = "ketqua"
DELIVERED = (OutboxStatus.SENT,)
UNREACHED = (OutboxStatus.FAILED, OutboxStatus.NEEDS_CHECK)


@router.command("thongbao")
@requires("admin")
async def broadcast(ctx: Ctx) -> None:
    target, _, text = ctx.event.args.strip().partition(" ")
    target, text = target.lower(), text.strip()
    if target == RESULT and not text:
        await _result(ctx)
        return
    every = await units.every(ctx.session)
    if target == EVERY:
        codes = {u.code for u in every if u.active}
        name = None
    else:
        unit = await units.get(ctx.session, code=target)
        codes = subtree(every, unit.code) if unit else set()
        name = unit.name if unit else None
    if not codes or not text or len(text) > TEXT_LIMIT:
        ctx.say(
            "staff/broadcast_usage.j2",
            unknown=target[:40] if not codes else None,
            too_long=len(text) > TEXT_LIMIT,
            limit=TEXT_LIMIT,
        )
        return
    people = await contacts.every(ctx.session)
    recipients = sorted({who for code in codes for who in people.get(code, [])})
    stamp = int(ctx.deps.clock().timestamp() * 1000)
    context = {"org": ctx.org.short_name, "text": text}
    for who in recipients:
        platform, _, chat_id = who.partition(":")
        await outbox.notice(
            ctx.session,
            to=(platform, chat_id),
            key=f"{broadcasts.PREFIX}{stamp}:{who}"[:128],
            template="notice/broadcast.j2",
            context=context,
        )
    await audit(ctx, "broadcast", note=f"{target} {len(recipients)} {text[:200]}")
    silent = sorted(u.name for u in every if u.code in codes and not people.get(u.code))
    ctx.say("staff/broadcast_queued.j2", unit=name, count=len(recipients), silent=silent)


async def _result(ctx: Ctx) -> None:
    prefix = await broadcasts.last_prefix(ctx.session)
    found: Counter[str] = Counter()
    if prefix is not None:
        found = await broadcasts.outcome(ctx.session, prefix=prefix)
    ctx.say(
        "staff/broadcast_result.j2",
        any=prefix is not None,
        delivered=sum(found[s] for s in DELIVERED),
        unreached=sum(found[s] for s in UNREACHED),
        total=found.total(),
    )
