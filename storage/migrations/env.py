"""Alembic environment: runs on a connection handed in by ``storage.db.migrate`` or, from the
command line (``alembic -c alembic.ini upgrade head``), on a new async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers the tables on SQLModel.metadata

target_metadata = SQLModel.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # Every pending revision in the caller's one transaction: all or none applied.
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_url() -> None:
    from storage.db import make_engine

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.settings import Settings

        url = Settings().database_url
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_from_url())
