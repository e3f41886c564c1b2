"""Statements run straight on a session's SQLite connection, several in one hand-off to its
thread, for the hot path of a member's update (``storage/quick_commit.py``, the update's
claim in ``storage/db.py``).

Through the session each statement costs SQLAlchemy's execution (its compiled cache's key,
the parameters, the result) and one hand-off to aiosqlite's thread. Here a statement is
compiled once by SQLAlchemy and its values bound by SQLAlchemy's own type processors (what is
stored is the same); the engine's ``before_cursor_execute`` listeners are told of each
statement as the engine tells them of its own. The transaction is the session's: SQLite opens
it at the first write on the connection, whichever way the write came.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, cast

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_driver

Write = tuple[str, list[Any]]


@dataclass(frozen=True)
class Prepared:
    """A statement's SQL and, in its parameters' order, each one's name and processor."""

    sql: str
    binds: tuple[tuple[str, Callable[[Any], Any] | None], ...]

    def bound(self, values: Mapping[str, Any]) -> Write:
        return self.sql, [p(values[n]) if p else values[n] for n, p in self.binds]


@cache
def prepared(dialect: Dialect, statement: ClauseElement) -> Prepared:
    """``statement`` (built once by the caller, its parameters named) compiled once."""
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    processors: dict[str, Any] = dict(compiled._bind_processors)
    order = compiled.positiontup or ()
    return Prepared(compiled.string, tuple((name, processors.get(name)) for name in order))


def insert_all(session: AsyncSession, table: Table, values: dict[str, Any]) -> Write | None:
    """``storage.db.insert_new``'s statement, when every column of ``table`` is given (no
    default to compute) and the session is on SQLite; None otherwise: the session runs it."""
    if not sqlite(session) or not session.bind or set(values) != set(table.columns.keys()):
        return None
    statement = _insert_all(table, tuple(sorted(values)))
    return prepared(session.bind.dialect, statement).bound(values)


@cache
def _insert_all(table: Table, names: tuple[str, ...]) -> ClauseElement:
    """SQLite's INSERT … ON CONFLICT DO NOTHING of ``names``, every column of the table."""
    values = {name: bindparam(name, type_=table.c[name].type) for name in names}
    return sqlite_insert(table).values(values).on_conflict_do_nothing()


def sqlite(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "sqlite"


async def run(
    session: AsyncSession, writes: Sequence[Write], *, commit: bool = False, rows: bool = False
) -> list[int] | None:
    """Each statement's row count, all run in one hand-off, then the COMMIT when asked; with
    ``rows``, a statement that did not change exactly one row fails as the ORM's flush would,
    before the COMMIT (a failure leaves the transaction to the session's rollback). None when
    the session is not on this project's SQLite driver: nothing was run, the caller goes
    through the session."""
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, sqlite_driver.Connection):
        return None
    _tell(connection.sync_connection, writes)
    counts: list[int] = await driver.call(partial(_run, driver.sqlite, writes, commit, rows))
    return counts


async def write_then_read(session: AsyncSession, write: Write, read: Write) -> tuple[bool, Any]:
    """``write`` and, only when it changed one row, ``read``, in one hand-off: (whether the
    write changed one row, the read's first row or None). The read is told to the engine's
    listeners after it ran (it runs only then). Raises ``NotImplementedError`` when the session
    is not on this project's SQLite driver: nothing was run."""
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, sqlite_driver.Connection):
        raise NotImplementedError
    _tell(connection.sync_connection, [write])
    done, row = await driver.call(partial(_write_then_read, driver.sqlite, write, read))
    if done:
        _tell(connection.sync_connection, [read])
    return done, row


def _write_then_read(connection: sqlite3.Connection, write: Write, read: Write) -> tuple[bool, Any]:
    """On aiosqlite's thread."""
    cursor = connection.execute(*write)
    try:
        if cursor.rowcount != 1:
            return False, None
    finally:
        cursor.close()
    cursor = connection.execute(*read)
    try:
        return True, cursor.fetchone()
    finally:
        cursor.close()


def _tell(sync_connection: Any, writes: Sequence[Write]) -> None:
    """The engine's ``before_cursor_execute`` listeners (tests count statements by them)."""
    if sync_connection is not None:
        for sql, params in writes:
            sync_connection.dispatch.before_cursor_execute(
                sync_connection, None, sql, params, None, False
            )


def _run(
    connection: sqlite3.Connection, writes: Sequence[Write], commit: bool, rows: bool
) -> list[int]:
    """On aiosqlite's thread."""
    counts = []
    for sql, params in writes:
        cursor = connection.execute(sql, params)
        try:
            counts.append(cursor.rowcount)
        finally:
            cursor.close()
        if rows and counts[-1] != 1:
            raise StaleDataError(f"{sql!r} matched {counts[-1]} rows, not 1")
    if commit:
        connection.commit()
    return counts
