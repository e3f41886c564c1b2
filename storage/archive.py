"""The public archive's full-text index and listings: only published items still up.

The index holds each item's text folded to bare ASCII words (``handlers.engine.textnorm.fold``),
so "trung thuc" finds "trung thực" and "Hòa" finds "Hoà" on both backends alike. SQLite: an FTS5
table ``archive_fts`` whose rowid is the submission id (https://sqlite.org/fts5.html), ranked by
bm25. PostgreSQL: ``archive_text`` with a stored tsvector under a GIN index, ranked by ts_rank
(https://www.postgresql.org/docs/current/textsearch-controls.html)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, column, func, literal_column, table, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ArchiveState, Status, Submission


@dataclass(frozen=True)
class Filters:
    units: frozenset[str] = frozenset()  # a unit and those below it; empty: every unit
    kind: str | None = None
    theme: str | None = None
    since: datetime | None = None  # a month: [since, until)
    until: datetime | None = None


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def visible() -> list[ColumnElement[bool]]:
    """Published and still up; a merged item is published with its primary, never alone."""
    return [
        col(Submission.status) == Status.PUBLISHED,
        col(Submission.merged_into).is_(None),
        col(Submission.taken_down_at).is_(None),
    ]


def _filtered(filters: Filters) -> list[ColumnElement[bool]]:
    where = visible()
    if filters.units:
        where.append(col(Submission.unit_code).in_(sorted(filters.units)))
    if filters.kind:
        where.append(col(Submission.kind) == filters.kind)
    if filters.theme:
        where.append(col(Submission.theme_key) == filters.theme)
    if filters.since is not None:
        where.append(col(Submission.published_at) >= filters.since)
    if filters.until is not None:
        where.append(col(Submission.published_at) < filters.until)
    return where


async def latest(
    session: AsyncSession, *, filters: Filters, limit: int, offset: int = 0
) -> Sequence[Submission]:
    """Newest first."""
    query = (
        select(Submission)
        .where(and_(*_filtered(filters)))
        .order_by(col(Submission.published_at).desc(), col(Submission.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return (await session.exec(query)).all()


FTS = table("archive_fts", column("rowid"), column("rank"))
TEXT = table("archive_text", column("submission_id"), column("doc"))


def _match(session: AsyncSession, words: str) -> tuple[Any, Any, Any, Any]:
    """(the index, its id column, the condition, the rank: lower is better) for ``words``."""
    if _postgres(session):
        query = func.plainto_tsquery("simple", words)
        rank = -func.ts_rank(TEXT.c.doc, query)
        return TEXT, TEXT.c.submission_id, TEXT.c.doc.op("@@")(query), rank
    # Each word quoted: FTS5 syntax in a visitor's query is read as plain words.
    phrase = " ".join(f'"{w}"' for w in words.split())
    return FTS, FTS.c.rowid, literal_column("archive_fts").op("MATCH")(phrase), FTS.c.rank


async def search(
    session: AsyncSession, *, words: str, filters: Filters, limit: int, offset: int = 0
) -> Sequence[Submission]:
    """Items matching every folded word, best first."""
    if not words.split():
        return []
    index, ident, condition, rank = _match(session, words)
    query = (
        select(Submission)
        .select_from(index)
        .join(Submission, col(Submission.id) == ident)
        .where(condition, and_(*_filtered(filters)))
        .order_by(rank, col(Submission.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return (await session.exec(query)).all()


async def count(session: AsyncSession, *, words: str, filters: Filters) -> int:
    """How many items ``latest`` (no words) or ``search`` would list in all."""
    if words and not words.split():
        return 0
    query = select(func.count()).select_from(Submission)
    if words:
        index, ident, condition, _ = _match(session, words)
        query = (
            select(func.count())
            .select_from(index)
            .join(Submission, col(Submission.id) == ident)
            .where(condition)
        )
    return int((await session.exec(query.where(and_(*_filtered(filters))))).one())


async def item(session: AsyncSession, *, submission_id: int) -> tuple[Submission | None, bool]:
    """(the item, whether it was taken down); None when it never was public."""
    sub = await session.get(Submission, submission_id)
    if sub is None or sub.status != Status.PUBLISHED or sub.merged_into is not None:
        return None, False
    return sub, sub.taken_down_at is not None


async def version(session: AsyncSession) -> int:
    """The archive's version: changes whenever what it shows changes (one cheap query)."""
    found = await session.get(ArchiveState, 1, populate_existing=True)
    return found.version if found is not None else 0


async def changed(session: AsyncSession) -> None:
    """What the archive shows changed: every worker's cached pages are stale from now on."""
    bump = update(ArchiveState).where(col(ArchiveState.id) == 1)
    result = await session.exec(bump.values(version=col(ArchiveState.version) + 1))
    if getattr(result, "rowcount", 1) == 0:  # a store made without the migrations' row
        session.add(ArchiveState(id=1, version=1))
        await session.flush()


async def index(session: AsyncSession, *, submission_id: int, body: str) -> None:
    """Put (or replace) an item's folded text in the index."""
    await forget(session, submission_id=submission_id)
    if _postgres(session):
        sql = "INSERT INTO archive_text (submission_id, body) VALUES (:id, :body)"
    else:
        sql = "INSERT INTO archive_fts (rowid, body) VALUES (:id, :body)"
    await session.exec(text(sql).bindparams(id=submission_id, body=body))  # type: ignore[call-overload]


async def index_new(session: AsyncSession, *, bodies: dict[int, str]) -> None:
    """Put items the index does not hold yet (``unindexed``) in it, in one statement."""
    if not bodies:
        return
    if _postgres(session):
        sql = "INSERT INTO archive_text (submission_id, body) VALUES (:id, :body)"
    else:
        sql = "INSERT INTO archive_fts (rowid, body) VALUES (:id, :body)"
    rows = [{"id": ident, "body": body} for ident, body in bodies.items()]
    await session.exec(text(sql), params=rows)  # type: ignore[call-overload]
    await changed(session)  # search now finds them: cached pages are stale


async def unindexed(session: AsyncSession, *, after: int, limit: int) -> Sequence[Submission]:
    """Items the archive shows but its index lacks (published before the index existed, or
    by a bot stopped between two steps), by id after ``after``."""
    if _postgres(session):
        held = select(TEXT.c.submission_id).where(TEXT.c.submission_id == Submission.id)
    else:
        held = select(FTS.c.rowid).where(FTS.c.rowid == Submission.id)
    query = (
        select(Submission)
        .where(*visible(), col(Submission.id) > after, ~held.exists())
        .order_by(col(Submission.id))
        .limit(limit)
    )
    return (await session.exec(query)).all()


async def forget(session: AsyncSession, *, submission_id: int) -> None:
    """Take an item out of the index (taken down, erased): search finds it no more."""
    await changed(session)
    if _postgres(session):
        sql = "DELETE FROM archive_text WHERE submission_id = :id"
    else:
        sql = "DELETE FROM archive_fts WHERE rowid = :id"
    await session.exec(text(sql).bindparams(id=submission_id))  # type: ignore[call-overload]
