"""A member's update committed in one hand-off to SQLite's thread.

At the end of an update the session holds the member's row and often its draft, a few columns
changed. The ORM's flush writes them one ``UPDATE`` at a time through its unit of work, then
commits: three hand-offs to aiosqlite's thread and a third of the update's CPU
(bench/core_cpu.py). Here the same ``UPDATE`` statements (built once per set of columns, the
values bound by SQLAlchemy's own type processors, so what is stored is the same) and the
``COMMIT`` run in one call on the thread; then the rows are marked as written, and the
session's own commit finds nothing to flush and no transaction left to end.

Only rows loaded and changed, of the tables listed here (no relationships, no column computed
by the database on update); any new or deleted row, or any other changed row, leaves the whole
commit to the ORM. SQLite only: PostgreSQL's driver has no such thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from functools import cache, partial
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import InstanceState
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_driver
from storage.models import Member, Submission

_TABLES: dict[type, Table] = {Member: Member.__table__, Submission: Submission.__table__}  # type: ignore[attr-defined]
_ORDER = {model: place for place, model in enumerate(_TABLES)}
_Statement = tuple[str, tuple[tuple[str, Callable[[Any], Any] | None], ...]]


async def commit(session: AsyncSession) -> bool:
    """Write this session's changed member and submission rows and commit, on SQLite, in one
    hand-off; False (nothing done) when the ORM must do it."""
    sync = session.sync_session
    bind = session.bind
    if bind is None or bind.dialect.name != "sqlite" or sync.new or sync.deleted:
        return False
    states: list[InstanceState[Any]] = list(sync.identity_map._modified)
    if any(state.class_ not in _TABLES or state.key is None for state in states):
        return False
    # In the ORM's order (members, then submissions; by key): the same statements in the
    # same order on every run.
    states.sort(key=lambda state: (_ORDER[state.class_], state.key[1] if state.key else ()))
    writes: list[tuple[str, list[Any]]] = []
    for state in states:
        table, changed = _TABLES[state.class_], _changed(state)
        if changed and state.key is not None:
            sql, binds = _statement(bind.dialect, table, tuple(sorted(changed)))
            values = {**changed, "pk_": state.key[1][0]}
            writes.append((sql, [p(values[n]) if p else values[n] for n, p in binds]))
    if not writes:
        return False
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, sqlite_driver.Connection):
        return False
    # Announced as the engine announces its own statements, so what watches them (a count of
    # an update's statements, a trace) sees these too.
    sync_connection = connection.sync_connection
    if sync_connection is not None:
        for sql, params in writes:
            sync_connection.dispatch.before_cursor_execute(
                sync_connection, None, sql, params, None, False
            )
    await driver.call(partial(_write, driver.sqlite, writes))
    InstanceState._commit_all_states([(s, s.dict) for s in states], sync.identity_map)
    return True


def _changed(state: InstanceState[Any]) -> dict[str, Any]:
    """The columns the ORM's flush would write: those set to a value unequal to the loaded one
    (as ``sqlalchemy.orm.persistence._collect_update_commands`` decides)."""
    values = {}
    for key, loaded in state.committed_state.items():
        value = state.dict.get(key)
        if state.manager[key].impl.is_equal(value, loaded) is not True:
            values[key] = value
    return values


@cache
def _statement(dialect: Dialect, table: Table, names: tuple[str, ...]) -> _Statement:
    """``UPDATE table SET names… WHERE id = ?`` compiled once, with each parameter's processor
    in the statement's order."""
    statement = (
        update(table)
        .where(table.c.id == bindparam("pk_", type_=table.c.id.type))
        .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names})
    )
    compiled = statement.compile(dialect=dialect)
    processors: dict[str, Any] = dict(compiled._bind_processors)
    order = compiled.positiontup or ()
    return compiled.string, tuple((name.removeprefix("v_"), processors.get(name)) for name in order)


def _write(connection: sqlite3.Connection, writes: Sequence[tuple[str, list[Any]]]) -> None:
    """On aiosqlite's thread: each row's UPDATE, then the COMMIT. A row that is gone fails as
    the ORM's flush would, and the caller's rollback undoes the rest."""
    for sql, params in writes:
        cursor = connection.execute(sql, params)
        try:
            if cursor.rowcount != 1:
                raise StaleDataError(f"{sql!r} matched {cursor.rowcount} rows, not 1")
        finally:
            cursor.close()
    connection.commit()
