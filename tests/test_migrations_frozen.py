"""Migrations are frozen: none imports the app, every past revision upgrades to head with the
rows it held (on SQLite and PostgreSQL), each downgrade comes back, and a later revision that
adds a column to ``submission`` cannot break an earlier one."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from handlers.desk.archived import index_missing
from storage import archive
from storage.db import MIGRATIONS, downgrade, make_engine, make_sessions, migrate, revision_of
from storage.models import Submission
from tests.support.migrations import (
    ADD_COLUMN,
    app_imports,
    chain_copy,
    counted,
    model_column,
    plant,
    revisions,
    texts,
    throwaway,
)

REVISIONS = revisions()
VERSIONS = MIGRATIONS / "versions"
UNFROZEN_0011 = Path(__file__).parent / "support" / "unfrozen_0011.py.txt"


def test_no_migration_imports_the_app(tmp_path: Path) -> None:
    assert app_imports(VERSIONS) == []
    # The check sees an import of the app wherever it stands, even inside a function.
    planted = tmp_path / "versions"
    planted.mkdir()
    (planted / "0099_bad.py").write_text(
        "import sqlalchemy as sa\n\ndef upgrade():\n    from storage.models import Member\n"
    )
    (planted / "0098_bad.py").write_text("import handlers.fields\n")
    assert app_imports(planted) == ["0098_bad.py:1 handlers.fields", "0099_bad.py:4 storage.models"]


@pytest.mark.parametrize("revision", REVISIONS)
async def test_upgrade_from_every_revision_keeps_its_rows(
    empty_db_url: str, revision: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(empty_db_url)
    try:
        await migrate(engine, revision)
        async with engine.begin() as connection:
            planted = await connection.run_sync(plant)
            before = await connection.run_sync(texts)
        await migrate(engine)
        assert await revision_of(engine) == REVISIONS[-1]
        async with engine.connect() as connection:
            assert await connection.run_sync(counted, planted) == planted
            assert await connection.run_sync(texts) == before
        sessions = make_sessions(engine)
        # The bot's start indexes the published item (not the pending one), and only once.
        with caplog.at_level(logging.INFO, logger="handlers.desk.archived"):
            assert await index_missing(sessions, batch=1) == 1
        assert "1 published items indexed so far" in caplog.text  # progress, batch by batch
        assert await index_missing(sessions) == 0
        async with sessions() as session:
            everything = archive.Filters()
            found = await archive.search(session, words="hoa binh", filters=everything, limit=5)
        assert [(sub.id, sub.status) for sub in found] == [(before[0][0], "published")]
    finally:
        await engine.dispose()


async def test_every_downgrade_comes_back(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        await migrate(engine, REVISIONS[0])
        async with engine.begin() as connection:
            planted = await connection.run_sync(plant)
        await migrate(engine)
        for down in reversed(REVISIONS[:-1]):  # one step down, then back up, at each revision
            await downgrade(engine, down)
            assert await revision_of(engine) == down
            await migrate(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(counted, planted) == planted
            assert await connection.run_sync(_differences) == []
            if engine.dialect.name == "sqlite":  # off while migrating only
                assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    finally:
        await engine.dispose()


def _differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        d
        for d in compare_metadata(context, SQLModel.metadata)
        if not (d[0] in ("remove_table", "remove_index") and "archive_" in str(d[1]))
    ]


def _chain_with_new_column(tmp_path: Path, old_0011: bool) -> Path:
    extra = {"0099_extra_note.py": throwaway("0099", REVISIONS[-1], ADD_COLUMN)}
    chain = chain_copy(tmp_path, extra)
    if old_0011:  # the revision as it was before it was frozen: it read today's model
        (chain / "versions" / "0011_archive_search.py").write_text(UNFROZEN_0011.read_text())
    return chain


async def test_a_later_column_on_submission_upgrades_a_fresh_database(
    empty_db_url: str, tmp_path: Path
) -> None:
    """The app's model has the column 0099 adds; every revision before it still runs."""
    extra = sa.Column("extra_note", sa.String(50), nullable=True)
    with model_column(Submission.__table__, extra):  # type: ignore[attr-defined]
        for old, expected in ((True, "no such column|does not exist"), (False, None)):
            engine = make_engine(empty_db_url)
            chain = _chain_with_new_column(tmp_path / str(old), old)
            try:
                if expected:  # the failure the unfrozen 0011 had, caught
                    with pytest.raises(sa.exc.DBAPIError, match=expected):
                        await migrate(engine, location=chain)
                    assert await revision_of(engine) in (None, "0010")
                    await _empty(engine)
                else:
                    await migrate(engine, location=chain)
                    assert await revision_of(engine) == "0099"
            finally:
                await engine.dispose()


async def _empty(engine: AsyncEngine) -> None:
    """Start the next attempt from an empty database again."""

    def drop(connection: sa.Connection) -> None:
        meta = sa.MetaData()
        meta.reflect(connection)
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TABLE IF EXISTS archive_fts")
            meta.clear()
            meta.reflect(connection)
        meta.drop_all(connection)

    async with engine.begin() as connection:
        await connection.run_sync(drop)
