"""What goes out by itself besides posts (both off by default): the weekly nudge to members
who have not sent anything this week, and last month's report to the admins on the 1st.

At the configured weekday and time (``[reports] weekly_member_reminder``), each member with a
unit who submitted nothing since Monday gets one message with a "send" button; the outbox key
(member and ISO week) makes it once a week at most, however many processes tick. Banned
members are left alone. A nudge missed by a stopped bot is sent within 12 hours, not later.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine import roles
from handlers.engine.context import Deps
from handlers.engine.texts import label
from handlers.jobs.schedule import weekly_due
from storage import outbox
from storage.models import Ban, Member, OutboxKind, Status, Submission

GRACE = timedelta(hours=12)


async def weekly(session: AsyncSession, *, deps: Deps, now: datetime) -> int:
    spec = deps.org.reports.weekly_member_reminder
    if spec is None:
        return 0
    local = now.astimezone(deps.tz)
    monday = weekly_due(spec, now, deps.tz, GRACE)
    if monday is None:
        return 0
    week_start = datetime.combine(monday, time(0), tzinfo=deps.tz)
    sent_this_week = exists().where(
        col(Submission.member_id) == col(Member.id),
        col(Submission.submitted_at) >= week_start,
        col(Submission.status).not_in([Status.DRAFT, Status.CANCELLED]),
    )
    banned = exists().where(
        and_(
            col(Ban.platform) == Member.platform,
            col(Ban.user_id) == Member.platform_user_id,
            col(Ban.active),
        )
    )
    query = select(Member).where(col(Member.unit_code).is_not(None), ~sent_this_week, ~banned)
    year, week, _ = monday.isocalendar()
    count = 0
    theme = deps.org.theme_on(local.date()).title
    for member in (await session.exec(query)).all():
        context = {
            "name": member.display_name,
            "theme": theme,
            "choices": [[[label("send"), "gui:0:"]]],
        }
        count += await outbox.notice(
            session,
            to=(member.platform, member.chat_id),
            key=f"weekly:{year}-{week:02d}:{member.id}",
            template="notice/weekly_reminder.j2",
            context=context,
        )
    return count


async def monthly_report(session: AsyncSession, *, deps: Deps, now: datetime) -> int:
    """On the 1st at ``[reports] monthly_to_admins``, last month's report to each admin; the
    outbox builds it when its turn comes (kind "report"), once per admin and month."""
    spec = deps.org.reports.monthly_to_admins
    local = now.astimezone(deps.tz)
    if spec is None or local.day != 1:
        return 0
    hour, minute = (int(part) for part in spec.split(":"))
    due = datetime.combine(local.date(), time(hour, minute), tzinfo=deps.tz)
    if not due <= local < due + GRACE:
        return 0
    last = local.date() - timedelta(days=1)
    count = 0
    for admin in await roles.admins(session, deps):  # less those an admin removed
        platform, _, user_id = admin.partition(":")
        count += await outbox.enqueue(
            session,
            key=f"monthly:{last:%Y-%m}:{admin}",
            kind=OutboxKind.REPORT,
            platform=platform,
            chat_id=user_id,  # a private chat's id is the user's, on Telegram and Zalo
            context={"period": f"thang {last.month}/{last.year}"},
        )
    return count
