"""Alembic brings an empty database to exactly the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import make_engine, migrate

ARCHIVE = re.compile(r"archive_(fts|text)").match
DROPS = ("remove_table", "remove_index")


def _table(thing: Any) -> str:
    """The table an autogenerate difference is about (a table, or an index on one)."""
    return str(thing.name if thing.__class__.__name__ == "Table" else thing.table.name)


async def test_upgrade_empty_database_matches_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        await migrate(engine)
        await migrate(engine)  # a second start finds nothing to do

        def differences(connection):
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            # The archive's search index (0011) is raw SQL, not a model: an FTS5 virtual table
            # and its shadow tables on SQLite, a tsvector table on PostgreSQL.
            found = compare_metadata(context, SQLModel.metadata)
            return [d for d in found if not (d[0] in DROPS and ARCHIVE(_table(d[1])))]

        def tables(connection):
            return set(inspect(connection).get_table_names())

        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
            names = await connection.run_sync(tables)
        assert {"member", "submission", "media", "unit", "processedupdate"} <= names
    finally:
        await engine.dispose()
