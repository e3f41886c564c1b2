"""``python -m bot migrate``: a backup first, then every pending revision, all or none. On
PostgreSQL they run in one transaction (DDL is transactional there); SQLite runs DDL outside
it, so a failure puts the copy taken just before back in place."""

from __future__ import annotations

import asyncio
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.backup import files
from bot.backup.make import sqlite_copy, take
from bot.backup.restore import put_sqlite
from bot.settings import Settings
from storage.db import MIGRATIONS, alembic_config, make_engine, migrate, revision_of
from storage.locks import hold_sqlite_file


@dataclass
class Migrated:
    before: str | None
    after: str | None
    applied: list[tuple[str, str]] = field(default_factory=list)  # (revision, what it does)
    backup: Path | None = None


class MigrateFailed(Exception):
    def __init__(self, before: str | None, error: BaseException, backup: Path | None) -> None:
        super().__init__(before, error)
        self.before, self.error, self.backup = before, error, backup


def pending(current: str | None, location: Path) -> list[tuple[str, str]]:
    """(revision, first line of its docstring) of each revision after ``current``, in order."""
    script = ScriptDirectory.from_config(alembic_config(location=location))
    found = script.iterate_revisions("heads", current or "base")
    return [(r.revision, (r.doc or "").splitlines()[0]) for r in reversed(list(found))]


async def run(
    settings: Settings,
    *,
    at: datetime,
    backup: bool = True,
    folder: Path | None = None,
    location: Path = MIGRATIONS,
) -> Migrated:
    # No bot may serve the SQLite file meanwhile (AlreadyRunning says so); released at the end.
    lock = hold_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url)
    database = files.sqlite_file(settings.database_url)
    # Beside the database (its disk has room for a copy of it; /tmp may not).
    near = str(database.parent) if database is not None else None
    scratch = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=".migrate-", dir=near))
    try:
        before = await revision_of(engine)
        todo = pending(before, location)
        if not todo:
            return Migrated(before, before)
        made = None
        if backup and before is not None:  # an empty database has nothing to lose
            made = (await take(settings, folder or files.default_folder(settings), at=at)).path
        try:
            if database is None or before is None:
                await migrate(engine, location=location)  # PostgreSQL: one transaction
            else:
                if made is None:  # --no-backup: a plain copy of the file all the same
                    made = scratch / files.SQLITE_MEMBER
                    await asyncio.to_thread(sqlite_copy, database, made)
                await _migrate_sqlite(engine, location, database, made)
        except Exception as error:
            raise MigrateFailed(before, error, made if backup else None) from error
        return Migrated(before, await revision_of(engine), todo, made if backup else None)
    finally:
        await engine.dispose()
        await asyncio.to_thread(shutil.rmtree, scratch, True)
        if lock is not None:
            lock.close()


async def _migrate_sqlite(engine: AsyncEngine, location: Path, database: Path, copy: Path) -> None:
    try:
        await migrate(engine, location=location)
    except BaseException:
        await engine.dispose()  # every connection closed before the file is replaced
        await asyncio.to_thread(_put_back, copy, database)
        raise


def _put_back(copy: Path, database: Path) -> None:
    if tarfile.is_tarfile(copy):
        put_sqlite(copy, database)
        return
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(copy, database)
