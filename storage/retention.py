"""Abandoned drafts: whose to warn, whose to remove, and removing them with their media.

A draft's last activity is the later of its member's ``updated_at`` (every step taken) and
its own ``updated_at`` (every answer stored); both must be older than a cut-off.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, exists, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import media_store
from storage.models import Audit, Ban, Media, Member, Outbox, PendingInput, Status, Submission

GIVEN_UP = (Status.DRAFT, Status.CANCELLED)  # never sent: nothing counts them


def _idle_since(cutoff: datetime) -> ColumnElement[bool]:
    return and_(col(Member.updated_at) <= cutoff, col(Submission.updated_at) <= cutoff)


def _active_since_warned() -> ColumnElement[bool]:
    warned = col(Submission.purge_warned_at)
    return or_(col(Member.updated_at) > warned, col(Submission.updated_at) > warned)


def _banned() -> ColumnElement[bool]:
    return exists().where(
        col(Ban.platform) == Member.platform,
        col(Ban.user_id) == Member.platform_user_id,
        col(Ban.active),
    )


async def _drafts(
    session: AsyncSession, *where: ColumnElement[bool]
) -> list[tuple[Member, Submission]]:
    """Members with a draft being written (not a supplement), and the draft. FOR UPDATE: the
    member's own updates take the same row lock (``members.get_or_create``), so a member
    answering right now is never reset underneath."""
    query = (
        select(Member, Submission)
        .join(Submission, col(Submission.id) == col(Member.draft_id))
        .where(col(Submission.status) == Status.DRAFT, *where)
        .with_for_update()
    )
    return [(member, draft) for member, draft in (await session.exec(query)).all()]


async def to_warn(
    session: AsyncSession, *, idle_since: datetime
) -> list[tuple[Member, Submission]]:
    """Drafts idle since ``idle_since`` whose member was not told, or was active after being
    told (a new warning is due then). Banned members are not written to."""
    warned = col(Submission.purge_warned_at)
    return await _drafts(
        session, _idle_since(idle_since), or_(warned.is_(None), _active_since_warned()), ~_banned()
    )


async def to_remove(
    session: AsyncSession, *, idle_since: datetime, warned_before: datetime
) -> list[tuple[Member, Submission]]:
    """Drafts idle since ``idle_since`` whose member was told before ``warned_before`` and
    did nothing since; a banned member's without telling."""
    warned = col(Submission.purge_warned_at)
    told = and_(warned.is_not(None), warned <= warned_before, ~_active_since_warned())
    return await _drafts(session, _idle_since(idle_since), or_(told, _banned()))


async def orphans(session: AsyncSession, *, idle_since: datetime) -> list[int]:
    """Drafts no member is writing any more (given up with /huy, or left behind), idle
    since ``idle_since``."""
    pointed = exists().where(col(Member.draft_id) == col(Submission.id))
    query = select(Submission.id).where(
        col(Submission.status).in_(GIVEN_UP),
        col(Submission.updated_at) <= idle_since,
        ~pointed,
    )
    return [int(sid) for sid in (await session.exec(query)).all() if sid is not None]


async def delete_drafts(session: AsyncSession, *, ids: Collection[int]) -> int:
    """Delete submissions that were never sent, with their media. Rows that merely mention
    them (a notice, an audit line) lose the reference instead of blocking the delete."""
    # Only those still never sent: one submitted meanwhile is left alone, whole.
    query = select(Submission.id).where(
        col(Submission.id).in_(list(ids)), col(Submission.status).in_(GIVEN_UP)
    )
    wanted = [sid for sid in (await session.exec(query.with_for_update())).all() if sid]
    if not wanted:
        return 0
    shas = await media_store.shas_of(session, submission_ids=wanted)
    await session.exec(delete(Media).where(col(Media.submission_id).in_(wanted)))
    await media_store.forget(session, shas=shas)
    await session.exec(delete(PendingInput).where(col(PendingInput.submission_id).in_(wanted)))
    for table in (Outbox, Audit):
        await session.exec(
            update(table).where(col(table.submission_id).in_(wanted)).values(submission_id=None)
        )
    await session.exec(delete(Submission).where(col(Submission.id).in_(wanted)))
    return len(wanted)
