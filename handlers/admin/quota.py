"""Messages counted per platform and month, and the admins told, once a month each, when the
Zalo budget (ZALO_MONTHLY_MESSAGE_BUDGET) is 80% used or when Zalo refuses sends for what looks
like a quota or a permission. "Once" is the outbox's unique key, so several workers agree."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from storage import outbox, review, usage

WARN_SHARE = 0.8


async def admins(session: AsyncSession, deps: Deps) -> list[tuple[str, str]]:
    """(platform, private chat id) of every admin: a private chat's id is the user's id on
    Telegram and on Zalo."""
    rows = await review.staff(session)
    stored = {f"{row.platform}:{row.user_id}" for row in rows if row.role == "admin"}
    return [
        (platform, user_id)
        for platform, _, user_id in (who.partition(":") for who in sorted(stored | deps.admins))
    ]


async def count_sent(
    session: AsyncSession, deps: Deps, *, platform: str, count: int, budget: int | None
) -> int:
    """Add sent messages to the month's count; past 80% of ``budget`` the admins hear once."""
    month = usage.month_of(deps.clock(), deps.tz)
    total = await usage.add_sent(session, platform=platform, month=month, count=count)
    if budget is not None and total >= budget * WARN_SHARE:
        context = {"month": _shown(month), "sent": total, "budget": budget}
        await _tell(session, deps, f"budget:{platform}:{month}", "quota_budget.j2", context)
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
    await _tell(session, deps, f"refused:{platform}:{month}", "quota_refused.j2", context)


async def _tell(
    session: AsyncSession, deps: Deps, key: str, template: str, context: dict[str, Any]
) -> None:
    for platform, chat_id in await admins(session, deps):
        await outbox.notice(
            session,
            to=(platform, chat_id),
            key=f"{key}:{platform}:{chat_id}"[:128],
            template=f"notice/{template}",
            context=context,
        )


def _shown(month: str) -> str:
    return f"{month[5:]}/{month[:4]}"
