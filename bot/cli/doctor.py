"""``python -m bot doctor``: one line per check, ✓ or ✗, in plain words; exit status 0 only
when every check passes. It changes nothing: no migration is run, no file is created, no
webhook is set. Each platform's checks are its own (``doctor`` of its registry row, through
its real client); this module only walks the registry."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.backup.files import latest_backup
from bot.platforms import registry
from bot.platforms.protocol import Checked, Finding
from bot.runtime.watchdog import sqlite_path
from bot.settings import Settings
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.org import load_org
from storage.clock import Clock, system
from storage.db import alembic_config, make_engine

DB_SECONDS = 10.0
MIN_FREE = 1024**3  # bytes: below 1 GiB free, photos and backups soon stop fitting
BACKUP_MAX_AGE = timedelta(days=2)  # a daily backup older than this has stopped running


def line(found: Finding) -> str:
    return render(
        Say("cli/doctor.j2", {"ok": found.ok, "key": found.key, **found.context}), "plain"
    )


async def run(
    settings: Settings,
    *,
    out: TextIO = sys.stdout,
    clock: Clock = system,
    min_free: int = MIN_FREE,
) -> int:
    """Every check in order, each line printed as soon as known; 0 when all passed."""
    passed = True

    def show(found: Iterable[Finding]) -> None:
        nonlocal passed
        for item in found:
            passed &= item.ok
            print(line(item), file=out, flush=True)

    show([Finding(True, "settings_ok", {})])
    show([organisation(settings)])
    served, refused = units_served(settings)
    show([refused] if refused else [])
    show(await database(settings.database_url))
    for platform in registry.served(served):  # units' own pages and sites asked too
        if isinstance(platform, Checked):
            show(await platform.doctor(served))
    show([await media_space(settings, min_free)])
    show([await asyncio.to_thread(last_backup, settings.backup_dir, clock)])
    return 0 if passed else 1


def units_served(settings: Settings) -> tuple[Settings, Finding | None]:
    """The settings with every unit's own targets (``targets`` in the organisation file), or
    the line saying which unit's target ``run`` would refuse."""
    from bot.serve.unit_targets import TargetProblem, widened

    try:
        return widened(settings, load_org(settings.org_config)), None
    except TargetProblem as problem:
        ctx = {
            "path": str(settings.org_config),
            "where": f"units ({problem.unit}) targets: ",
            "key": "target",
            "value": problem.line,
            "targets": registry.served_names(),
        }
        return settings, Finding(
            False, "org_bad", {"text": render(Say("cli/org_error.j2", ctx), "plain")}
        )
    except Exception:  # the organisation file's own line says what is wrong
        return settings, None


def organisation(settings: Settings) -> Finding:
    from bot.serve.runner import org_problem

    path = str(settings.org_config)
    try:
        org = load_org(settings.org_config)
    except Exception as error:  # what ``run`` would refuse at start, said the same way
        problem = org_problem(error)
        ctx = {"path": path, "where": problem.where, "key": problem.key, "value": problem.value}
        examples = {"targets": registry.served_names()}  # its example of a target
        text = render(Say("cli/org_error.j2", {**ctx, **examples}), "plain")
        return Finding(False, "org_bad", {"text": text})
    return Finding(True, "org_ok", {"path": path, "name": org.name, "units": len(org.units)})


async def database(url: str) -> list[Finding]:
    """Whether it answers, and whether migrations wait (alembic's current against head)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return [Finding(False, "db_missing", {"path": str(path)})]
    backend = "SQLite" if path is not None else "PostgreSQL"
    engine = make_engine(url)
    try:
        async with asyncio.timeout(DB_SECONDS), engine.connect() as connection:
            current = await connection.run_sync(_current)
    except Exception as error:
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        return [Finding(False, "db_unreachable", {"backend": backend, "detail": detail})]
    finally:
        await engine.dispose()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    found = [Finding(True, "db_ok", {"backend": backend})]
    if current != head:
        return [*found, Finding(False, "migrations_pending", {"current": current, "head": head})]
    return [*found, Finding(True, "migrations_ok", {"head": head})]


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def media_space(settings: Settings, min_free: int) -> Finding:
    """Free space where the media store writes: MEDIA_DIR, else ``media/`` beside the SQLite
    file, else (PostgreSQL keeps the bytes) the data folder of the project."""
    path = settings.media_dir
    if path is None:
        database = sqlite_path(settings.database_url)
        path = database.parent / "media" if database else Path("data")
    path = path.absolute()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # the folder the store would create it in
    usage = await asyncio.to_thread(shutil.disk_usage, existing)
    context = {"path": str(path), "free": _size(usage.free), "needed": _size(min_free)}
    enough = usage.free >= min_free
    return Finding(enough, "space_ok" if enough else "space_low", context)


def _size(count: int) -> str:
    return f"{count / 1024**3:.1f} GB"


def last_backup(folder: Path | None, clock: Clock) -> Finding:
    """The newest backup of BACKUP_DIR (``bot.backup.files``: its name says when it was taken)
    and its age (file work: in a thread)."""
    if folder is None:
        return Finding(True, "backup_off", {})
    if not folder.is_dir():
        return Finding(False, "backup_no_folder", {"folder": str(folder)})
    newest = latest_backup(folder)
    if newest is None:
        return Finding(False, "backup_none", {"folder": str(folder)})
    path, taken_at = newest
    age = (clock() - taken_at).total_seconds()
    hours = max(0, round(age / 3600))
    context = {"name": path.name, "hours": hours, "days": hours // 24}
    fresh = age <= BACKUP_MAX_AGE.total_seconds()
    return Finding(fresh, "backup_ok" if fresh else "backup_old", context)
