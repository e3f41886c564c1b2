"""Taking a backup while the bot serves: a consistent copy of the database (SQLite's online
backup API, in a thread: the copy is one snapshot and writers go on meanwhile in WAL mode;
PostgreSQL's ``pg_dump --format=custom``, a subprocess with a timeout: one snapshot too), the
media store's files (with SQLite; PostgreSQL keeps them in the dump), and a manifest, in one
tar named after the time (``bot.backup.files``)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path

from bot.backup import files
from bot.backup.postgres import pg_dump
from bot.settings import Settings


@dataclass
class Made:
    path: Path
    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0


def sqlite_copy(source: Path, target: Path) -> None:
    """One consistent snapshot of a live SQLite file (https://sqlite.org/backup.html): all
    pages in one step, so writes meanwhile (WAL) neither block nor restart it."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def sqlite_counts(path: Path) -> tuple[str | None, dict[str, int]]:
    """(revision, rows per table) of a SQLite file: read from the copy, so they describe it."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(("sqlite_", "archive_fts")) and name != "alembic_version"
        ]
        counts = {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        try:
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            row = None
        return (row[0] if row else None), counts
    finally:
        db.close()


def media_of(folder: Path | None) -> list[Path]:
    """The store's files (content-addressed names), not its half-written temporary ones."""
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def write_tar(
    part: Path, members: dict[str, Path], media: list[Path], manifest: dict[str, object]
) -> None:
    with tarfile.open(part, "x") as tar:
        for name, path in members.items():
            tar.add(path, arcname=name)
        for path in media:
            tar.add(path, arcname=f"{files.MEDIA_MEMBER}/{path.name}")
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo(files.MANIFEST)
        info.size = len(data)
        info.mtime = int(datetime.fromisoformat(str(manifest["taken_at"])).timestamp())
        tar.addfile(info, BytesIO(data))


async def take(settings: Settings, folder: Path, *, at: datetime) -> Made:
    """Back up the database and the media store into a new file in ``folder``."""
    database = files.sqlite_file(settings.database_url)
    part = await asyncio.to_thread(files.part_file, folder, at)
    work = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=folder, prefix=".backup-"))
    try:
        if database is not None:
            copy = work / files.SQLITE_MEMBER
            await asyncio.to_thread(sqlite_copy, database, copy)
            revision, counts = await asyncio.to_thread(sqlite_counts, copy)
            members = {files.SQLITE_MEMBER: copy}
        else:
            dump = work / files.DUMP_MEMBER
            revision, counts = await pg_dump(settings.database_url, dump)
            members = {files.DUMP_MEMBER: dump}
        media = await asyncio.to_thread(media_of, files.media_folder(settings))
        manifest: dict[str, object] = {
            "format": 1,
            "backend": "sqlite" if database is not None else "postgresql",
            "revision": revision,
            "taken_at": at.isoformat(),
            "counts": counts,
            "media_files": len(media),
        }
        try:
            await asyncio.to_thread(write_tar, part, members, media, manifest)
            path = await asyncio.to_thread(files.publish, part)
        finally:
            part.unlink(missing_ok=True)
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)
    return Made(path, revision, counts, len(media))
