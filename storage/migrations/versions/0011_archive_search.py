"""the public archive's full-text index (SQLite FTS5, PostgreSQL tsvector + GIN)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:00:00

The index only: items published before it are indexed by the bot at start
(``handlers.desk.archived.index_missing``), in batches, so a migration never runs app code
(frozen: what it does cannot change with the app) and a big archive never holds it up.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE archive_text (submission_id INTEGER PRIMARY KEY "
            "REFERENCES submission (id) ON DELETE CASCADE, body TEXT NOT NULL, "
            "doc tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
        op.execute("CREATE INDEX ix_archive_text_doc ON archive_text USING GIN (doc)")
    else:
        op.execute("CREATE VIRTUAL TABLE archive_fts USING fts5(body)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("archive_text")
    else:
        op.execute("DROP TABLE archive_fts")
