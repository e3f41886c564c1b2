"""Restoring a backup (``bot.backup.make``) into an empty place only: a database without tables
and a media folder without files, else nothing is touched and the refusal names which. Then
the migrations bring it to this version of the bot."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from bot.backup import files
from bot.backup.postgres import pg_args, run_tool, tool
from bot.settings import Settings
from storage.db import make_engine, migrate, revision_of

STORED = re.compile(r"^[0-9a-f]{64}$")  # the media store's names: sha256 of the bytes


class Refused(Exception):
    """Nothing restored: ``what`` (not_backup, backend, tables, media), the place, examples."""

    def __init__(self, what: str, path: str, names: list[str] | None = None) -> None:
        super().__init__(what, path)
        self.what, self.path, self.names = what, path, names or []


@dataclass
class Restored:
    manifest: dict[str, Any]
    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)


def read_manifest(backup: Path) -> dict[str, Any]:
    try:
        with tarfile.open(backup) as tar:
            member = tar.extractfile(files.MANIFEST)
            if member is None:
                raise KeyError(files.MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
            return manifest
    except (OSError, KeyError, tarfile.TarError, ValueError) as error:
        raise Refused("not_backup", str(backup)) from error


def sqlite_tables(path: Path) -> list[str]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return shown([name for (name,) in rows if not name.startswith("sqlite_")])
    finally:
        db.close()


def shown(tables: list[str]) -> list[str]:
    """The bot's own tables first (member, submission…), the bookkeeping ones after."""
    return sorted(tables, key=lambda name: (name.startswith(("alembic_", "archive_")), name))


def put_sqlite(backup: Path, target: Path) -> None:
    """The backup's database file in place of ``target`` (and its WAL files)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup) as tar:
        source = tar.extractfile(files.SQLITE_MEMBER)
        if source is None:
            raise Refused("not_backup", str(backup))
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out)
            out.flush()
            os.fsync(out.fileno())
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(temp, target)


def put_media(backup: Path, folder: Path) -> int:
    """The backup's media files into ``folder``; only the store's own names are taken."""
    count = 0
    with tarfile.open(backup) as tar:
        for member in tar.getmembers():
            parent, _, name = member.name.partition("/")
            if parent != files.MEDIA_MEMBER or not member.isfile() or not STORED.match(name):
                continue
            source = tar.extractfile(member)
            if source is None:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / name).open("xb") as out:
                shutil.copyfileobj(source, out)
            count += 1
    return count


def extract_dump(backup: Path, folder: Path) -> Path:
    target = folder / files.DUMP_MEMBER
    with tarfile.open(backup) as tar:
        source = tar.extractfile(files.DUMP_MEMBER)
        if source is None:
            raise Refused("not_backup", str(backup))
        with target.open("wb") as out:
            shutil.copyfileobj(source, out)
    return target


async def pg_tables(url: str) -> list[str]:
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            return shown(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def check_empty(settings: Settings, manifest: dict[str, Any], backup: Path) -> None:
    database = files.sqlite_file(settings.database_url)
    if manifest.get("backend") != ("sqlite" if database else "postgresql"):
        raise Refused("backend", str(backup), [str(manifest.get("backend"))])
    if database is not None:
        if tables := await asyncio.to_thread(sqlite_tables, database):
            raise Refused("tables", str(database), tables)
    elif tables := await pg_tables(settings.database_url):
        raise Refused("tables", str(make_url(settings.database_url).database), tables)
    media = files.media_folder(settings)
    if media is not None and media.is_dir() and any(media.iterdir()):
        raise Refused("media", str(media))


async def restore(settings: Settings, backup: Path) -> Restored:
    manifest = await asyncio.to_thread(read_manifest, backup)
    await check_empty(settings, manifest, backup)
    database = files.sqlite_file(settings.database_url)
    if database is not None:
        await asyncio.to_thread(put_sqlite, backup, database)
        media = files.media_folder(settings)
        if media is not None:
            await asyncio.to_thread(put_media, backup, media)
    else:
        restorer = tool("pg_restore")
        scratch = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="tintot-restore-"))
        try:
            dump = await asyncio.to_thread(extract_dump, backup, scratch)
            args, env = pg_args(settings.database_url)
            command = [restorer, "--no-owner", "--exit-on-error", "--single-transaction"]
            await run_tool([*command, *args, str(dump)], env)
        finally:
            await asyncio.to_thread(shutil.rmtree, scratch, True)
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        revision = await revision_of(engine)
    finally:
        await engine.dispose()
    return Restored(manifest, revision, dict(manifest.get("counts", {})))
