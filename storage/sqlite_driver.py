"""aiosqlite with one hand-off to its thread per statement instead of four.

SQLAlchemy's aiosqlite adapter makes a cursor, executes, fetches and closes it, each an
``await`` that queues a call on aiosqlite's thread and wakes the event loop when it is done.
A profile of the bot under ``bench/flow.py`` spent about 40% of its busy main thread in those
hand-offs. Here a cursor is a plain object and ``execute`` runs the statement, reads every row
(what SQLAlchemy's adapter does next anyway for a statement returning rows), the row count and
the last row id and closes the sqlite3 cursor, all in one call on the thread. Transactions,
errors and the thread are aiosqlite's own: only the cursor changes, and a commit or rollback
with no transaction open costs no hand-off.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

Row = Any
_Description = tuple[tuple[str, None, None, None, None, None, None], ...] | None


def _run(
    connection: sqlite3.Connection, sql: str, parameters: Any, many: bool
) -> tuple[_Description, list[Row], int, int | None]:
    """On aiosqlite's thread: the statement, its rows and counts, the cursor closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class Cursor:
    """What SQLAlchemy's adapter reads of an aiosqlite cursor, filled by one call."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1
        self._rows: list[Row] = []

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _call(self, sql: str, parameters: Any, many: bool) -> Cursor:
        call = partial(_run, self._connection.sqlite, sql, parameters, many)
        self.description, rows, self.rowcount, self.lastrowid = await self._connection.call(call)
        self._rows = rows
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        return await self._call(sql, () if parameters is None else parameters, False)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        return await self._call(sql, parameters, True)

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


class Connection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors run each statement in one hand-off."""

    @property
    def sqlite(self) -> sqlite3.Connection:
        return self._conn

    async def call(self, function: Callable[[], Any]) -> Any:
        return await self._execute(function)  # type: ignore[no-untyped-call]

    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)

    # sqlite3 itself does nothing on a commit or a rollback outside a transaction (a read-only
    # one, or the pool's rollback when a connection comes back after a commit, once per
    # update): answered here, without the hand-off. ``in_transaction`` is SQLite's own flag,
    # safe to read from this thread (SQLAlchemy's adapter reads it so too).
    async def commit(self) -> None:
        if self._connection is None or self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self._connection is None or self._conn.in_transaction:
            await super().rollback()


def connect(database: str, **kwargs: Any) -> Connection:
    """``aiosqlite.connect`` with this module's connection (given to SQLAlchemy as its
    ``async_creator_fn``, with the arguments its SQLite dialect made from the URL)."""
    kwargs.pop("iter_chunk_size", None)
    connection = Connection(partial(sqlite3.connect, database, **kwargs), 64)
    connection._thread.daemon = True  # as SQLAlchemy does for its own aiosqlite connections
    return connection
