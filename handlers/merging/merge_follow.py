"""The submissions merged into another follow its fate: approved, rejected or published with
it, their members told the same. Nothing of theirs is posted: only the one they joined."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.desk import cards
from handlers.engine.context import Deps
from storage import merges
from storage.models import Status, Submission


async def decided(
    session: AsyncSession, primary: Submission, deps: Deps, event: str, **context: Any
) -> None:
    """``primary`` was just approved or rejected (``event``: the notice its member got)."""
    decision = {
        "status": primary.status,
        "decided_by": primary.decided_by,
        "decided_by_name": primary.decided_by_name,
        "decided_at": primary.decided_at,
        "reject_reason": primary.reject_reason,
    }
    await _follow(session, primary, deps, (Status.MERGED,), decision, event, context)


async def published(
    session: AsyncSession, primary: Submission, deps: Deps, *, links: list[str]
) -> None:
    """``primary``'s posts are all out: the approved ones merged into it are published too."""
    values = {"status": Status.PUBLISHED, "published_at": primary.published_at}
    await _follow(session, primary, deps, (Status.APPROVED,), values, "published", {"links": links})


async def _follow(
    session: AsyncSession,
    primary: Submission,
    deps: Deps,
    expect: Collection[Status],
    values: dict[str, Any],
    event: str,
    context: dict[str, Any],
) -> None:
    """Those merged into ``primary`` and still in ``expect`` take ``values``; each member is
    told (``event``)."""
    for child in await merges.follow(session, primary_id=primary.id or 0, expect=expect, **values):
        await cards.notify_member(session, child, event, deps, **context)
