"""The SQLite file under the running bot: still the one it opened, and writable.

SQLite keeps writing to a file deleted (or replaced) under it: every answer, draft and
decision after that lands in an inode nobody can open again and is lost at the next start
(https://www.sqlite.org/howtocorrupt.html, 2.4 "Unlinking or renaming a database file while
in use"). The file's identity (st_dev, st_ino) is noted before serving and checked every few
seconds; a change stops the bot with a clear line and a non-zero exit, so a supervisor (and a
person) notices at once. PostgreSQL has no file to watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

from sqlalchemy.engine import make_url

EVERY = 5.0  # seconds between checks: a stat, nothing more


class DatabaseGone(Exception):
    """The SQLite file the bot serves was deleted or replaced."""


class DatabaseReadOnly(Exception):
    """args: the path, and whether the ``file`` or its ``folder`` cannot be written."""


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).absolute()


def identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def check_writable(url: str) -> None:
    """Before anything opens it: a read-only database (or a folder where SQLite cannot add
    its -wal and -shm files) is named as such, not mistaken for another fault."""
    path = sqlite_path(url)
    if path is None:
        return
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseReadOnly(str(path), "file")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the one the bot's mkdir would write into
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseReadOnly(str(folder), "folder")


async def watch_database(url: str, stop: asyncio.Event, *, every: float = EVERY) -> None:
    """Until ``stop``; raises DatabaseGone (and sets ``stop``) when the file changes."""
    path = sqlite_path(url)
    if path is None:
        return
    served = identity(path)
    while True:
        if identity(path) != served or served is None:
            stop.set()
            raise DatabaseGone(str(path))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        if stop.is_set():
            return
