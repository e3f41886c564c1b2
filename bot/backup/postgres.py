"""PostgreSQL's side of backups: ``pg_dump`` and ``pg_restore`` as subprocesses with a
timeout (never blocking the event loop), the password in their environment, never on their
command line."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import Connection, make_url

from storage.db import make_engine

TIMEOUT = 3600.0  # seconds a dump or restore may take before it is given up


class ToolMissing(Exception):
    """``pg_dump`` or ``pg_restore`` is not on the PATH."""


class BackupFailed(Exception):
    """What went wrong, in one line (no secret: the database URL's password is never in it)."""


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(name)
    return found


def pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments of pg_dump/pg_restore for ``url``; the password goes in the
    environment (PGPASSWORD), never on a command line others can read."""
    parsed = make_url(url)
    args = ["--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return [*args, "--dbname", str(parsed.database)], env


async def run_tool(argv: list[str], env: dict[str, str], *, seconds: float = TIMEOUT) -> None:
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env=env
    )
    try:
        _, err = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise BackupFailed(f"{Path(argv[0]).name}: quá {int(seconds)} giây") from None
    if process.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        raise BackupFailed(f"{Path(argv[0]).name}: {last[0]}")


def _counts(connection: Connection) -> tuple[str | None, dict[str, int]]:
    names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
    counts = {
        name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in names
    }
    return MigrationContext.configure(connection).get_current_revision(), counts


async def pg_dump(url: str, dump: Path) -> tuple[str | None, dict[str, int]]:
    """Dump the database; (revision, rows per table) read in the very snapshot pg_dump
    dumps (an exported snapshot, https://www.postgresql.org/docs/current/app-pgdump.html)."""
    args, env = pg_args(url)
    command = [tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump)]
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="REPEATABLE READ")
            async with connection.begin():
                snapshot = (await connection.execute(text("SELECT pg_export_snapshot()"))).scalar()
                found = await connection.run_sync(_counts)
                await run_tool([*command, f"--snapshot={snapshot}", *args], env)
        return found
    finally:
        await engine.dispose()
