"""The SQL statements an engine runs, counted: how much one update costs the database is a
number that does not depend on the machine's speed, so a test can pin it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements run on ``engine`` inside the block, first word first (``INSERT INTO
    processedupdate ...``), whitespace folded so a failing assertion reads well."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
