"""Backup files: where they go, their names (the time they were taken, UTC), the newest one,
and keeping the last N. A backup is one tar: the database (a SQLite copy or a pg_dump), the
media store's files, and ``manifest.json``."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import ROOT, Settings

PREFIX = "tintot-backup-"
STAMP = "%Y%m%d-%H%M%S"
# tintot-backup-20261207-023000.tar, or …-023000-2.tar for a second one in the same second.
NAME = re.compile(r"^tintot-backup-(\d{8}-\d{6})(?:-(\d+))?\.tar$")
MANIFEST = "manifest.json"
SQLITE_MEMBER, DUMP_MEMBER, MEDIA_MEMBER = "tintot.db", "tintot.dump", "media"


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).resolve()


def media_folder(settings: Settings) -> Path | None:
    """The media store's folder with SQLite (as ``storage.media_store.media_dir`` finds it);
    None with PostgreSQL, which keeps the bytes in the database (table ``mediablob``)."""
    database = sqlite_file(settings.database_url)
    if database is None:
        return None
    return settings.media_dir.resolve() if settings.media_dir else database.parent / "media"


def default_folder(settings: Settings) -> Path:
    """BACKUP_DIR, else ``backups/`` beside the SQLite file (under data/ by default)."""
    if settings.backup_dir is not None:
        return settings.backup_dir
    database = sqlite_file(settings.database_url)
    return (database.parent if database else ROOT / "data") / "backups"


def taken_at(path: Path) -> datetime | None:
    found = NAME.match(path.name)
    return datetime.strptime(found[1], STAMP).replace(tzinfo=UTC) if found else None


def backups(folder: Path) -> list[tuple[Path, datetime]]:
    """The backups in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    found = [(path, at) for path in folder.iterdir() if (at := taken_at(path)) is not None]
    return sorted(found, key=lambda item: (item[1], _sequence(item[0])))


def _sequence(path: Path) -> int:
    found = NAME.match(path.name)
    return int(found[2]) if found and found[2] else 1


def latest_backup(folder: Path) -> tuple[Path, datetime] | None:
    """The newest backup in ``folder`` and when it was taken (for ``doctor``), or None."""
    found = backups(folder)
    return found[-1] if found else None


def keep_last(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; what was deleted."""
    old = [path for path, _ in backups(folder)][:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old


def part_file(folder: Path, at: datetime) -> Path:
    """Where a backup taken at ``at`` is written before it gets its name (``publish``)."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".{PREFIX}{at.astimezone(UTC).strftime(STAMP)}.{os.getpid()}.part"


def publish(part: Path) -> Path:
    """Give a written backup its final name, never replacing a file: a second backup in the
    same second gets ``-2``. The part file is removed."""
    stem = part.name.removeprefix(".").split(".")[0]
    try:
        for n in range(1, 1000):
            final = part.parent / (f"{stem}.tar" if n == 1 else f"{stem}-{n}.tar")
            try:
                os.link(part, final)  # fails when the name is taken: nothing is overwritten
            except FileExistsError:
                continue
            return final
        raise FileExistsError(part.parent / f"{stem}.tar")
    finally:
        part.unlink(missing_ok=True)
