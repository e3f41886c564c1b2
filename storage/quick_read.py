"""An update's claim and its member's read in one hand-off to SQLite's thread.

Each update begins with its claim, then reads its member's row with their ban and draft.
Through the session that read cost the ORM's execution (its compiled cache's key, the result,
the loading of two rows) and a hand-off of its own: a fifth of a member's update in
instructions (bench/core_cpu.py). Here, on SQLite, the claim and then the read run in one call
on aiosqlite's thread (the claim still first: it takes SQLite's one write lock, so the rows
read after it are current), the read only when the claim is fresh; the rows are made into the
ORM's objects as its loading makes them and put in the session's identity map unchanged, so
handlers change them as usual and ``storage/quick_commit.py`` (or the ORM's flush) writes them.

PostgreSQL keeps the session's path: there the member's row is read after its row lock
(``members.get_or_create``), not with the claim.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Table, inspect, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapper, make_transient_to_detached
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import direct, members, updates
from storage.members import Found
from storage.models import Member, ProcessedUpdate, Submission

Model = TypeVar("Model", Member, Submission)
Columns = tuple[tuple[str, Callable[[Any], Any] | None], ...]  # (attribute, result processor)


async def claim(
    session: AsyncSession, *, key: str, platform: str, user_id: str
) -> tuple[bool, Found | None]:
    """``updates.claim``, and on SQLite, when the claim is fresh, the member's read made after
    it in the same hand-off; None: not read (the caller reads through the session)."""
    table: Table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
    write = direct.insert_all(session, table, updates.claim_row(session, key=key))
    if write is None or session.bind is None:
        return await updates.claim(session, key=key), None
    read = _read(session.bind.dialect)
    params = read.statement.bound({"platform": platform, "user_id": user_id})
    try:
        fresh, row = await direct.write_then_read(session, write, params)
    except NotImplementedError:  # not this project's SQLite driver
        return await updates.claim(session, key=key), None
    if not fresh:
        return False, None
    if row is None:
        return True, Found(None, None, None)
    split = len(read.member[0])
    member = _persistent(session, Member, read.member, row[:split])
    draft_row = row[split + 1 :]
    draft = None
    if draft_row[read.submission[1]] is not None:  # no draft: every column is NULL
        draft = _persistent(session, Submission, read.submission, draft_row)
    return True, Found(member, bool(row[split]), draft)


@dataclass(frozen=True)
class _Read:
    statement: direct.Prepared
    member: tuple[Columns, int]  # its columns, and where its key is among them
    submission: tuple[Columns, int]


@cache
def _read(dialect: Dialect) -> _Read:
    """The member's columns, whether an active ban names them, their draft's columns: the
    read ``members.get_or_create`` makes on SQLite (``members.lookup``), as plain columns,
    built and compiled once."""
    read = members.lookup()
    member, submission = read.member, read.draft
    statement = (
        select(*member.c, read.banned.label("banned"), *submission.c)
        .outerjoin_from(member, submission, read.draft_join)
        .where(*read.where)
    )
    return _Read(
        direct.prepared(dialect, statement),
        (_columns(dialect, Member, member), list(member.c).index(member.c.id)),
        (_columns(dialect, Submission, submission), list(submission.c).index(submission.c.id)),
    )


def _columns(dialect: Dialect, model: type, table: Table) -> Columns:
    """Each column's attribute and the processor the ORM's loading applies to its value."""
    mapper: Mapper[Any] = inspect(model)
    return tuple(
        (
            mapper.get_property_by_column(column).key,
            column.type.dialect_impl(dialect).result_processor(dialect, None),
        )
        for column in table.c
    )


def _persistent(
    session: AsyncSession, model: type[Model], read: tuple[Columns, int], values: tuple[Any, ...]
) -> Model:
    """The row as the ORM's loading makes it: an instance made without ``__init__``, its
    values as loaded, in the session's identity map, unchanged. One the session already holds
    is returned as it is (as a query returns it)."""
    mapper: Mapper[Model] = inspect(model)
    columns, key_at = read
    held = session.sync_session.identity_map.get(
        mapper.identity_key_from_primary_key((values[key_at],))
    )
    if held is not None:
        return held
    instance: Model = mapper.class_manager.new_instance()
    instance.__dict__.update(
        (name, process(value) if process else value)
        for (name, process), value in zip(columns, values, strict=True)
    )
    make_transient_to_detached(instance)  # its key set, its values marked as the loaded ones
    session.add(instance)  # persistent: in the identity map
    return instance
