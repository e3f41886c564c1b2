"""Abandoned drafts are removed, and their member is told once before it happens.

Called by the scheduler every tick with ``now``. With the retention R (``DRAFT_RETENTION_DAYS``,
30 days by default) and the warning's lead W = min(7 days, R / 2):

- a draft idle for R - W gets one notice (with the day it goes and a button to carry on) and
  ``purge_warned_at`` is set; it is told again only if its member was active after that;
- a draft idle for R, warned at least W ago and untouched since, is deleted with its media;
  its member starts clean (no draft, step idle);
- drafts no member points at any more (given up with /huy, or left behind) are deleted
  silently after R; so is a banned member's draft (nobody writes to them).

Idle means neither the member's step nor the draft changed: answering, pressing a button of
the flow, or the notice's button all count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Ctx, Deps
from handlers.engine.router import Router
from handlers.engine.states import DRAFT_STEPS, Step
from handlers.engine.texts import label
from storage import outbox, retention

WARN_BEFORE = timedelta(days=7)
router = Router()


def lead(keep: timedelta) -> timedelta:
    """How long before the removal the member is told."""
    return min(WARN_BEFORE, keep / 2)


async def purge(session: AsyncSession, *, deps: Deps, now: datetime) -> tuple[int, int]:
    """Warn, then remove; (warned, removed)."""
    keep = deps.draft_retention
    ahead = lead(keep)
    warned = 0
    for member, draft in await retention.to_warn(session, idle_since=now - (keep - ahead)):
        last = max(member.updated_at, draft.updated_at)
        goes = max(last + keep, now + ahead).astimezone(deps.tz)
        keep_button = [[[label("draft_keep"), f"keepdraft:{draft.id}:"]]]
        warned += await outbox.notice(
            session,
            to=(member.platform, member.chat_id),
            key=f"draft_purge:{draft.id}:{int(now.timestamp())}",
            template="notice/draft_purge.j2",  # no submission_id: it must not hold the draft
            context={"kind": draft.kind, "day": f"{goes:%d/%m/%Y}", "choices": keep_button},
        )
        draft.purge_warned_at = now
        session.add(draft)
    gone = await retention.to_remove(session, idle_since=now - keep, warned_before=now - ahead)
    for member, _ in gone:
        member.draft_id, member.step, member.step_data = None, Step.IDLE.value, {}
        session.add(member)
    ids = [draft.id for _, draft in gone if draft.id is not None]
    ids += await retention.orphans(session, idle_since=now - keep)
    removed = await retention.delete_drafts(session, ids=ids)
    return warned, removed


@router.action("keepdraft", steps=DRAFT_STEPS)
async def keep_draft(ctx: Ctx, _arg: str) -> None:
    """The notice's button: the draft is in use again; carry on where it stood."""
    data = {key: value for key, value in ctx.data.items() if key != "choices"}
    ctx.say("draft_kept.j2")
    await ctx.move(ctx.step, **data)
