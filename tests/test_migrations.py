"""Alembic brings an empty database to exactly the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import make_engine, migrate


async def test_upgrade_empty_database_matches_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await migrate(engine)
        await migrate(engine)  # a second start finds nothing to do

        def differences(connection):
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)

        def tables(connection):
            return set(inspect(connection).get_table_names())

        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
            names = await connection.run_sync(tables)
        assert {"member", "submission", "media", "unit", "processedupdate"} <= names
    finally:
        await engine.dispose()
