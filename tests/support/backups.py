"""Helpers of the backup stories: a fresh empty place to restore into (a new SQLite file, or a
new database on the same PostgreSQL server), settings for a bare database, and every row of
a database read back to compare."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.settings import Settings
from storage.db import make_engine
from tests.harness import ORG

# Tables whose rows the bot only adds while it runs: compared whole before and after.
KEPT = ("member", "submission", "media", "audit", "unit", "mediablob", "staff")


def bare_settings(url: str, **extra: Any) -> Settings:
    return Settings(_env_file=None, database_url=url, org_config=ORG, **extra)


@asynccontextmanager
async def fresh_place(db_url: str, folder: Path) -> AsyncIterator[str]:
    """An empty database beside ``db_url``'s: a new SQLite file in ``folder``, or a new
    database on the same PostgreSQL server (dropped afterwards)."""
    parsed = make_url(db_url)
    if parsed.get_backend_name() == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'tintot.db'}"
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    server = parsed.set(drivername="postgresql", database="postgres")
    dsn = server.render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


Rows = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]  # table → primary key → row


def _every_row(connection: sa.Connection) -> Rows:
    meta = sa.MetaData()
    meta.reflect(connection)
    found: Rows = {}
    for name, table in meta.tables.items():
        if name.startswith("archive_") or name == "alembic_version":
            continue
        keys = [table.columns.keys().index(c.name) for c in table.primary_key.columns]
        rows = connection.execute(sa.select(table)).all()
        found[name] = {tuple(row[k] for k in keys): tuple(row) for row in rows}
    return found


async def every_row(url: str) -> Rows:
    """Each table's rows by primary key (the search index and Alembic's own left out)."""
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_every_row)
    finally:
        await engine.dispose()
