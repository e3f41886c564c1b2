"""What a member may take back: a submission still waiting (withdrawn), and everything that
names them (erased). What stays is anonymous: each submission's unit, kind, theme, status and
times, so the reports count exactly as before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import media_store, review
from storage.models import (
    Audit,
    Inbox,
    Media,
    Member,
    Outbox,
    OutboxStatus,
    PendingInput,
    Status,
    Submission,
)
from storage.retention import GIVEN_UP, delete_drafts

# Merged ones wait with the story they joined: taking one back takes back its credit.
WAITING = (Status.PENDING, Status.NEEDS_INFO, Status.MERGED)
# A post in one of these may already be public: the item counts as published.
OUT = (OutboxStatus.SENT, OutboxStatus.SENDING, OutboxStatus.NEEDS_CHECK)


@dataclass(frozen=True)
class Erased:
    drafts: int  # drafts (and given-up drafts) deleted
    texts: int  # submissions never published whose text and media were erased
    media: int
    kept: int  # published submissions kept as the organisation's record
    messages: int  # stored updates and notices of theirs deleted


async def withdraw(
    session: AsyncSession,
    *,
    submission_id: int,
    member_id: int,
    actor: str,
    actor_name: str,
    now: datetime,
) -> bool:
    """Waiting → withdrawn, only for its own member; False when it no longer waits (an
    editor decided first: the WHERE on the status lets exactly one of them win). Recorded as
    the member's decision, so an editor pressing late is told who took it back, and when."""
    return await review.decide(
        session,
        submission_id=submission_id,
        expect=WAITING,
        to=Status.WITHDRAWN,
        actor=actor,
        actor_name=actor_name,
        member_id=member_id,
        now=now,
        merged_into=None,  # a merged one leaves the story it joined, and its credit
    )


async def waiting_of(session: AsyncSession, *, member_id: int) -> Sequence[Submission]:
    query = select(Submission).where(
        Submission.member_id == member_id, col(Submission.status).in_(WAITING)
    )
    return (await session.exec(query.order_by(col(Submission.id)))).all()


async def account(session: AsyncSession, *, platform: str, user_id: str) -> Member | None:
    query = select(Member).where(Member.platform == platform, Member.platform_user_id == user_id)
    return (await session.exec(query)).first()


async def erase(
    session: AsyncSession,
    *,
    member: Member,
    columns: Sequence[str],
    now: datetime,
    update_key: str | None = None,
) -> tuple[Erased, list[Submission]]:
    """Erase what names a member (their waiting items are withdrawn first, by the caller).
    Returns the counts and the submissions whose text was erased (their cards to refresh).
    ``columns``: the submission's columns to blank (what the member wrote, the post text built
    from it; ``handlers.fields.erased()``); the editors' notes and reasons stay.
    ``update_key``: the update asking for it, whose stored copy goes too."""
    assert member.id is not None
    who = f"{member.platform}:{member.platform_user_id}"
    mine = col(Submission.member_id) == member.id
    drafts = (
        await session.exec(select(Submission.id).where(mine, col(Submission.status).in_(GIVEN_UP)))
    ).all()
    deleted = await delete_drafts(session, ids=[sid for sid in drafts if sid])
    out = exists().where(
        col(Outbox.submission_id) == col(Submission.id),
        col(Outbox.kind) == "post",
        col(Outbox.status).in_(OUT),
    )
    public = or_(col(Submission.published_at).is_not(None), out)
    private = list((await session.exec(select(Submission).where(mine, ~public))).all())
    ids = [sub.id for sub in private if sub.id is not None]
    blank = dict.fromkeys(columns)
    await session.exec(
        update(Submission).where(col(Submission.id).in_(ids)).values(**blank, updated_at=now)
    )
    shas = await media_store.shas_of(session, submission_ids=ids)
    media = await session.exec(delete(Media).where(col(Media.submission_id).in_(ids)))
    await media_store.forget(session, shas=shas)  # their bytes, unless a kept row shares them
    # Their unsent posts would publish an empty item: they go, the decision stays.
    await session.exec(
        delete(Outbox).where(col(Outbox.submission_id).in_(ids), col(Outbox.kind) == "post")
    )
    messages = await _messages(session, member=member, who=who, update_key=update_key)
    await session.exec(
        delete(PendingInput).where(
            col(PendingInput.platform) == member.platform,
            col(PendingInput.user_id) == member.platform_user_id,
        )
    )
    placeholder = f"erased:{member.id}"
    # Their own withdrawals named them; the editors' decisions stay as recorded.
    await session.exec(
        update(Submission)
        .where(mine, col(Submission.status) == Status.WITHDRAWN)
        .values(decided_by=placeholder, decided_by_name="")
    )
    await session.exec(
        update(Audit)
        .where(col(Audit.actor) == who, col(Audit.action) == "withdraw")
        .values(actor=placeholder, actor_name="")
    )
    member.display_name, member.username = "", None
    member.platform_user_id, member.chat_id = placeholder, ""
    member.unit_code, member.step, member.step_data, member.draft_id = None, "idle", {}, None
    member.erased_at = member.updated_at = now
    session.add(member)
    kept = (await session.exec(select(Submission.id).where(mine, public))).all()
    counts = Erased(deleted, len(ids), int(getattr(media, "rowcount", 0) or 0), len(kept), messages)
    return counts, private


async def _messages(
    session: AsyncSession, *, member: Member, who: str, update_key: str | None
) -> int:
    """Their stored updates (handled ones, and the one asking) and what was sent to their chat:
    unsent notices deleted, sent ones kept without the chat and the words."""
    stored = await session.exec(
        delete(Inbox).where(
            col(Inbox.sender) == who,
            or_(col(Inbox.handled_at).is_not(None), col(Inbox.key) == (update_key or "")),
        )
    )
    theirs = (
        col(Outbox.platform) == member.platform,
        col(Outbox.chat_id) == member.chat_id,
        col(Outbox.kind).in_(["notice", "report"]),
    )
    sent = (OutboxStatus.SENT, OutboxStatus.SENDING)
    notices = await session.exec(delete(Outbox).where(*theirs, col(Outbox.status).not_in(sent)))
    await session.exec(update(Outbox).where(*theirs).values(chat_id="", context={}))
    return sum(int(getattr(r, "rowcount", 0) or 0) for r in (stored, notices))
