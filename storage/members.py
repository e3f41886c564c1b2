"""Members: one row per platform account, holding where their conversation stands."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Exists, String, Table, bindparam, exists
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import clock
from storage.models import Ban, Member, Submission


@dataclass(frozen=True)
class Found:
    """A member's read: the member (None: no row yet, and then nothing else), whether an
    active ban names them, their draft (read with them on SQLite only, see ``_read``)."""

    member: Member | None
    banned: bool | None
    draft: Submission | None


@dataclass(frozen=True)
class Lookup:
    """The one description of that read, on the tables: which member (``platform`` and
    ``user_id`` bound), whether an active ban names them, how their draft joins. ``_read``
    and ``storage/quick_read.py`` (the same read in the claim's hand-off) both build on it."""

    member: Table
    draft: Table
    where: tuple[ColumnElement[bool], ...]
    banned: Exists
    draft_join: ColumnElement[bool]


def lookup() -> Lookup:
    member: Table = Member.__table__  # type: ignore[attr-defined]
    draft: Table = Submission.__table__  # type: ignore[attr-defined]
    ban: Table = Ban.__table__  # type: ignore[attr-defined]
    platform, user_id = bindparam("platform", type_=String), bindparam("user_id", type_=String)
    return Lookup(
        member=member,
        draft=draft,
        where=(member.c.platform == platform, member.c.platform_user_id == user_id),
        banned=exists().where(ban.c.platform == platform, ban.c.user_id == user_id, ban.c.active),
        draft_join=draft.c.id == member.c.draft_id,
    )


async def by_chat(session: AsyncSession, *, platform: str, chat_id: str) -> Member | None:
    """The member of a private chat, locked for the rest of the transaction (see below)."""
    query = select(Member).where(Member.platform == platform, Member.chat_id == chat_id)
    return (await session.exec(query.with_for_update())).first()


async def get_or_create(
    session: AsyncSession,
    *,
    platform: str,
    user_id: str,
    chat_id: str | None,
    display_name: str,
    username: str | None,
    found: Found | None = None,
) -> tuple[Member, bool | None, Submission | None]:
    """The member's row, and whether an active ban names them, read in the same statement
    (None for a new row: the ban check then asks on its own). On SQLite the member's draft
    comes in that statement too (else None): the session finds it by its key while the caller
    holds it (the session's map holds unchanged rows weakly), so ``ctx.draft()`` reads none.
    ``found``: that read, already made with the update's claim (``storage/quick_read.py``)."""
    # FOR UPDATE: one member's updates (and the outbox noting what it showed them) take turns
    # on the row, so none overwrites another's step. SQLite serialises writers anyway.
    if found is None:
        found = await _read(session, platform=platform, user_id=user_id)
    member, ban, draft = found.member, found.banned, found.draft
    if member is None:
        member = Member(
            platform=platform,
            platform_user_id=user_id,
            chat_id=chat_id or user_id,
            display_name=display_name[:200],
            username=username,
        )
        session.add(member)
        await session.flush()
    elif (member.display_name, member.username, member.chat_id) != (
        display_name[:200],
        username,
        chat_id or member.chat_id,
    ):
        member.display_name, member.username = display_name[:200], username
        member.chat_id = chat_id or member.chat_id  # a group message says nothing of the DM
        member.updated_at = clock.now(session)
    return member, ban, draft


async def _read(session: AsyncSession, *, platform: str, user_id: str) -> Found:
    dialect = _dialect(session)
    params = {"platform": platform, "user_id": user_id}
    row = (await session.exec(_member_query(dialect), params=params)).first()
    if row is None:
        return Found(None, None, None)
    # On SQLite the update's claim, this transaction's first statement, holds SQLite's one
    # write lock, so the draft read here is as current as one read after. Not on PostgreSQL:
    # there a read that waited on the member's lock rechecks the member row only, and would
    # return the draft as it was before the lock's holder changed it.
    return Found(row[0], bool(row[1]), row[2] if dialect == "sqlite" else None)


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind else "sqlite"


@cache
def _member_query(dialect: str) -> Any:
    """The member with whether an active ban names them (and on SQLite their draft), built
    once: building it and its cache key at each update cost a third of the read."""
    read = lookup()
    banned = read.banned.label("banned")
    if dialect == "sqlite":
        query = select(Member, banned, Submission).outerjoin(Submission, read.draft_join)
        return query.where(*read.where)
    return select(Member, banned).where(*read.where).with_for_update(of=Member)
