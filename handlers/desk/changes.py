"""``/gobai`` and ``/suabai`` through the outbox: each target's change of a sent post is a row
(kind ``change``) that the target's own outbox worker carries out with its ``Corrector`` —
never inside the core's transaction, once (a worker that dies leaves it to be tried again),
its result kept on the row. When the last of one command's rows is done, the editor who
typed it (in the editors' group or in private) gets every target's result and the card
shows the new state."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.desk import cards
from handlers.engine.context import Ctx, Deps
from storage import outbox, submissions
from storage.models import Outbox, OutboxKind, OutboxStatus, Submission

FINISHED = (OutboxStatus.SENT, OutboxStatus.FAILED)


async def queue(
    ctx: Ctx, sub: Submission, action: str, rows: list[Outbox], text: str | None
) -> int:
    """One change row per sent post; how many were queued. ``text``: the correction's new
    text (None: take the post down)."""
    batch = f"{sub.id}:{action}:{int(ctx.deps.clock().timestamp() * 1000)}"
    count = 0
    for row in rows:
        context: dict[str, Any] = {
            "action": action,
            "post": row.id,
            "text": text,
            "batch": batch,
            "to": [ctx.event.platform, ctx.event.chat_id],  # where the command was typed
        }
        count += await outbox.enqueue(
            ctx.session,
            key=f"change:{batch}:{row.id}",
            kind=OutboxKind.CHANGE,
            platform=row.platform,
            chat_id=row.chat_id,
            submission_id=sub.id,
            context=context,
        )
    return count


def asked(item: Outbox) -> tuple[int, str | None]:
    """What a change row asks of its target: the post's row and the new text (None: take
    it down)."""
    context = item.context or {}
    text = context.get("text")
    return int(str(context.get("post") or 0)), None if text is None else str(text)


async def after_change(
    session: AsyncSession, item: Outbox, *, change: str, reason: str, deps: Deps
) -> None:
    """One target's result recorded; the last of its command tells the editor and the card."""
    context = dict(item.context or {})
    item.context = {**context, "change": change, "reason": reason[:300]}
    await outbox.mark_sent(session, item=item, message_ids=[], link=None)
    post_id, text = asked(item)
    post = await outbox.get(session, item_id=post_id)
    if post is not None and change == "done" and text is None:
        post.context = {**(post.context or {}), "taken_down": True}  # a new dict: JSON
        session.add(post)
    await session.flush()
    # With the item's row locked, the last worker to finish sees every other result.
    sub = await submissions.locked(session, submission_id=item.submission_id or 0)
    batch = str(context.get("batch", ""))
    rows = await outbox.with_prefix(session, prefix=f"change:{batch}:")
    if any(row.status not in FINISHED for row in rows):
        return
    results = [
        {
            "platform": row.platform,
            "chat": row.chat_id,
            "change": (row.context or {}).get("change", "failed"),
            "reason": (row.context or {}).get("reason", ""),
        }
        for row in rows
    ]
    to = context.get("to")
    platform, chat = (str(to[0]), str(to[1])) if isinstance(to, list) and len(to) == 2 else ("", "")
    await outbox.notice(
        session,
        to=(platform, chat or None),
        key=f"changed:{batch}",
        template="takedown/result.j2",
        context={"sid": item.submission_id, "action": context.get("action"), "results": results},
        submission_id=item.submission_id,
    )
    if sub is not None:
        await cards.mirror_card(session, sub, deps, deps.clock())
