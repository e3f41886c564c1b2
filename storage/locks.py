"""Coordination that lives in the database, not in a process."""

from __future__ import annotations

import asyncio
import fcntl
import os
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

SENDER_LOCKS = 7001  # the advisory lock class of senders' inbox queues (apart from jobs)


async def try_job_lock(session: AsyncSession, *, name: str) -> bool:
    """On PostgreSQL, a transaction-scoped advisory lock: of all the workers ticking at once,
    one runs the scheduled job. SQLite is one process, so it always may."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return True
    query = select(func.pg_try_advisory_xact_lock(func.hashtext(name)))
    return bool((await session.exec(query)).one()[0])  # type: ignore[call-overload]


class SenderLocks:
    """Who may handle one sender's stored updates now: one worker across all processes on
    PostgreSQL (a session advisory lock, dropped by the server if the worker dies); within
    the one process on SQLite."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._local: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, sender: str) -> AsyncIterator[bool]:
        """Yields False, at once, when someone else holds it."""
        local = self._local.setdefault(sender, asyncio.Lock())
        if local.locked():
            yield False
            return
        async with local:
            if not self.shared:
                yield True
                return
            async with self.engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                key = func.hashtext(sender)
                taken = await connection.scalar(
                    select(func.pg_try_advisory_lock(SENDER_LOCKS, key))
                )
                try:
                    yield bool(taken)
                finally:
                    if taken:
                        await _unlock(connection, key)


async def _unlock(connection: AsyncConnection, key: ColumnElement[int]) -> None:
    try:
        await connection.scalar(select(func.pg_advisory_unlock(SENDER_LOCKS, key)))
    except Exception:  # the connection is broken: closing it makes the server drop the lock
        await connection.invalidate()


class AlreadyRunning(Exception):
    """Another process has this SQLite file open as the bot."""


def hold_sqlite_file(url: str, *, shared: bool = False) -> IO[str] | None:
    """SQLite serves one bot process: a second one on the same file stops with a clear
    message instead of fighting over the database. The OS drops the lock when the process
    ends, even by SIGKILL. Returns the open lock file to keep (None for PostgreSQL).

    ``shared``: a command-line task (report, export, forget) bringing the schema up to date
    before it starts; several may at once, none while a bot serves (AlreadyRunning: the bot
    has done it). The task itself then runs beside the bot, as WAL allows
    (https://www.sqlite.org/wal.html: readers and one writer at once)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(str(parsed.database) + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")  # not "w": a task must not wipe the serving bot's pid
    try:
        fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise AlreadyRunning(str(parsed.database)) from error
    if not shared:
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
    return handle
