"""The submissions merged into another follow its fate: approved, rejected or published with
it, their members told the same. Nothing of theirs is posted: only the one they joined."""

from __future__ import annotations

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
    children = await merges.follow(
        session,
        primary_id=primary.id or 0,
        expect=(Status.MERGED,),
        status=primary.status,
        decided_by=primary.decided_by,
        decided_by_name=primary.decided_by_name,
        decided_at=primary.decided_at,
        reject_reason=primary.reject_reason,
    )
    for child in children:
        await cards.notify_member(session, child, event, deps, **context)


async def published(
    session: AsyncSession, primary: Submission, deps: Deps, *, links: list[str]
) -> None:
    """``primary``'s posts are all out: the approved ones merged into it are published too."""
    children = await merges.follow(
        session,
        primary_id=primary.id or 0,
        expect=(Status.APPROVED,),
        status=Status.PUBLISHED,
        published_at=primary.published_at,
    )
    for child in children:
        await cards.notify_member(session, child, "published", deps, links=links)
