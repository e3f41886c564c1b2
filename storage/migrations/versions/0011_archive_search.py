"""the public archive's full-text index (SQLite FTS5, PostgreSQL tsvector + GIN)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:00:00

Items published before this revision are indexed here, with the words the bot indexes at
publication (``handlers.desk.archived.searchable``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from handlers.desk.archived import searchable
from storage.models import Submission

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
BATCH = 5_000


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute(
            "CREATE TABLE archive_text (submission_id INTEGER PRIMARY KEY "
            "REFERENCES submission (id) ON DELETE CASCADE, body TEXT NOT NULL, "
            "doc tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
        op.execute("CREATE INDEX ix_archive_text_doc ON archive_text USING GIN (doc)")
        insert = "INSERT INTO archive_text (submission_id, body) VALUES (:id, :body)"
    else:
        op.execute("CREATE VIRTUAL TABLE archive_fts USING fts5(body)")
        insert = "INSERT INTO archive_fts (rowid, body) VALUES (:id, :body)"
    _backfill(bind, sa.text(insert))


def _backfill(bind: sa.Connection, insert: sa.TextClause) -> None:
    names = dict(bind.execute(sa.text("SELECT code, name FROM unit")).all())
    # The table as it stands at this revision (later revisions add columns the model has).
    table = sa.Table("submission", sa.MetaData(), autoload_with=bind)
    last = 0
    while True:
        rows = bind.execute(
            sa.select(table)
            .where(table.c.status == "published", table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        subs = [Submission(**row._mapping) for row in rows]  # table models: not validated
        values = [{"id": s.id, "body": searchable(s, names.get(s.unit_code))} for s in subs]
        bind.execute(insert, values)
        last = rows[-1].id


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("archive_text")
    else:
        op.execute("DROP TABLE archive_fts")
