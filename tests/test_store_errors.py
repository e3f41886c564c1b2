"""Which database errors mean "away, try again later" and which are plain faults."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.db import make_engine, unreachable


async def test_a_missing_table_is_a_fault_not_an_outage(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.connect() as connection:
            with pytest.raises(OperationalError) as caught:
                await connection.execute(text("SELECT * FROM no_such_table"))
        assert not unreachable(caught.value)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("message", "away"),
    [
        ("database is locked", True),
        ("unable to open database file", True),
        ("disk I/O error", True),
        ("no such column: x", False),
        ('near "SELEC": syntax error', False),
    ],
)
def test_sqlite_messages(message: str, away: bool) -> None:
    error = OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))
    assert unreachable(error) is away


def test_connection_errors_of_any_backend_are_outages() -> None:
    assert unreachable(ConnectionRefusedError())
    assert unreachable(TimeoutError())
    assert unreachable(OperationalError("SELECT 1", {}, OSError("server closed the connection")))
