"""Coordination that lives in the database, not in a process."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession


async def try_job_lock(session: AsyncSession, *, name: str) -> bool:
    """On PostgreSQL, a transaction-scoped advisory lock: of all the workers ticking at once,
    one runs the scheduled job. SQLite is one process, so it always may."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return True
    query = select(func.pg_try_advisory_xact_lock(func.hashtext(name)))
    return bool((await session.exec(query)).one()[0])  # type: ignore[call-overload]


class AlreadyRunning(Exception):
    """Another process has this SQLite file open as the bot."""


def hold_sqlite_file(url: str) -> IO[str] | None:
    """SQLite serves one bot process: a second one on the same file stops with a clear
    message instead of fighting over the database. The OS drops the lock when the process
    ends, even by SIGKILL. Returns the open lock file to keep (None for PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(str(parsed.database) + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise AlreadyRunning(str(parsed.database)) from error
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
