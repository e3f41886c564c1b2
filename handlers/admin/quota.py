"""Messages counted per platform and month, and the admins told, once a month each, when the
Zalo budget (ZALO_MONTHLY_MESSAGE_BUDGET) is 80% used or when Zalo refuses sends for what looks
like a quota or a permission. "Once" is the outbox's unique key, so several workers agree."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.admin.tell import tell_admins
from handlers.engine.context import Deps
from storage import usage

WARN_SHARE = 0.8


async def count_sent(
    session: AsyncSession, deps: Deps, *, platform: str, count: int, budget: int | None
) -> int:
    """Add sent messages to the month's count; past 80% of ``budget`` the admins hear once."""
    month = usage.month_of(deps.clock(), deps.tz)
    total = await usage.add_sent(session, platform=platform, month=month, count=count)
    if budget is not None and total >= budget * WARN_SHARE:
        context = {"month": _shown(month), "sent": total, "budget": budget}
        await tell_admins(
            session,
            deps,
            key=f"budget:{platform}:{month}",
            template="notice/quota_budget.j2",
            context=context,
        )
    return total


async def refused(
    session: AsyncSession, deps: Deps, *, platform: str, error: str, retry_minutes: int
) -> None:
    """The platform refused a send as over quota or not allowed: the admins hear once a month
    what happened and what to do; the message itself waits in the outbox."""
    month = usage.month_of(deps.clock(), deps.tz)
    sent = await usage.sent(session, platform=platform, month=month)
    context = {"month": _shown(month), "sent": sent, "error": error[:200]}
    context["minutes"] = retry_minutes
    await tell_admins(
        session,
        deps,
        key=f"refused:{platform}:{month}",
        template="notice/quota_refused.j2",
        context=context,
    )


def _shown(month: str) -> str:
    return f"{month[5:]}/{month[:4]}"
