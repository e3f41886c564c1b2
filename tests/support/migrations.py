"""Helpers of the migration tests: the chain's revisions, rows written as a past revision knew
them (its tables read from the database itself, never from today's models), a copy of the
chain with a throwaway revision added, and the check that no migration imports the app."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from storage.db import MIGRATIONS, alembic_config

APP = ("bot", "handlers", "storage", "tests")
# The unit every planted item belongs to: the archive's index holds its name, unmasked.
UNIT_NAME = "Chi đoàn Hoà Bình"
WHEN = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def revisions(location: Path = MIGRATIONS) -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(location=location))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def app_imports(folder: Path) -> list[str]:
    """``file:line module`` for each import of the app in the migrations of ``folder``,
    wherever it stands (top level or inside a function)."""
    found = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else ["(relative)"]
            else:
                continue
            for name in names:
                if name.split(".")[0] in APP or name == "(relative)":
                    found.append(f"{path.name}:{node.lineno} {name}")
    return found


def chain_copy(folder: Path, extra: dict[str, str]) -> Path:
    """The migrations (env.py and versions/) copied into ``folder``, with ``extra`` revision
    files (name → source) added to versions/."""
    target = folder / "migrations"
    shutil.copytree(MIGRATIONS, target, ignore=shutil.ignore_patterns("__pycache__"))
    for name, source in extra.items():
        (target / "versions" / name).write_text(source, encoding="utf-8")
    return target


def throwaway(revision: str, down: str, body: str) -> str:
    """The source of a revision file whose upgrade runs ``body`` (Python, indented 4)."""
    return (
        f'"""throwaway revision of a test\n\nRevision ID: {revision}\nRevises: {down}\n"""\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "{revision}"\ndown_revision = "{down}"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade() -> None:\n{body}\n\n\ndef downgrade() -> None:\n    pass\n"
    )


ADD_COLUMN = (
    '    op.add_column("submission", sa.Column("extra_note", sa.String(50), nullable=True))'
)


@contextmanager
def model_column(table: sa.Table, column: sa.Column[Any]) -> Iterator[None]:
    """Today's model of ``table`` with one more column, as after a later revision added it."""
    table.append_column(column)
    try:
        yield
    finally:
        table._columns.remove(column)


# --- rows as a past revision knew them -------------------------------------------------


def _value(column: sa.Column[Any], table: str, n: int) -> Any:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 100 + n
    if isinstance(kind, sa.DateTime):
        return WHEN if kind.timezone else WHEN.replace(tzinfo=None)
    if isinstance(kind, sa.Date):
        return date(2026, 11, 20)
    if isinstance(kind, sa.Float | sa.Numeric):
        return 1.5
    if isinstance(kind, sa.LargeBinary):
        return PNG
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.String):
        special = {
            ("submission", "status"): "published" if n == 0 else "pending",
            ("submission", "kind"): "tin_tot",
            ("unit", "name"): UNIT_NAME,
        }
        text = special.get((table, column.name), f"{column.name} {n} tin tốt")
        return text[: kind.length] if kind.length else text
    return str(n)


def _row(table: sa.Table, planted: dict[str, dict[str, Any]], n: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in table.columns:
        references = [fk for fk in column.foreign_keys if fk.column.table.name != table.name]
        if references:
            target = references[0].column
            row[column.name] = planted[target.table.name][target.name]
        elif column.foreign_keys or (column.nullable and not _worded(table, column)):
            row[column.name] = None  # e.g. merged_into, taken_down_at: the item is up
        else:
            row[column.name] = _value(column, table.name, n)
    return row


def _worded(table: sa.Table, column: sa.Column[Any]) -> bool:
    """A submission's optional text (the member's words) is filled in too."""
    return table.name == "submission" and isinstance(column.type, sa.String)


def plant(connection: sa.Connection) -> dict[str, int]:
    """One row in every table there is (two submissions: one published, one pending), each
    column as the database has it now; how many rows each table then holds (a migration may
    have put its own there, e.g. 0013's archive version)."""
    meta = sa.MetaData()
    meta.reflect(connection)
    planted: dict[str, dict[str, Any]] = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version" or table.name.startswith("archive_"):
            continue
        rows = [_row(table, planted, n) for n in range(2 if table.name == "submission" else 1)]
        connection.execute(table.insert(), rows)
        planted[table.name] = rows[0]
    return counted(connection, {name: 0 for name in planted})


def counted(connection: sa.Connection, tables: dict[str, int]) -> dict[str, int]:
    """How many rows each of ``tables`` holds now."""
    count = sa.select(sa.func.count())
    return {
        name: connection.execute(count.select_from(sa.table(name))).scalar_one() for name in tables
    }


def texts(connection: sa.Connection) -> list[tuple[int, str, str]]:
    """(id, status, kind) of every submission."""
    query = sa.text("SELECT id, status, kind FROM submission ORDER BY id")
    return [tuple(row) for row in connection.execute(query).all()]
