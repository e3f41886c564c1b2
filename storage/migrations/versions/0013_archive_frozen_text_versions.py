"""the archive: frozen published text and credits, correction versions, the archive's version
counter (page caches), the (status, published_at) index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_String = sqlmodel.sql.sqltypes.AutoString
_Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch_op:
        batch_op.add_column(sa.Column("published_text", _String(), nullable=True))
        batch_op.add_column(sa.Column("published_credits", sa.JSON(), nullable=True))
    op.create_index("ix_submission_archive", "submission", ["status", "published_at"])
    op.create_table(
        "postversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("old_text", _String(), nullable=False),
        sa.Column("new_text", _String(), nullable=False),
        sa.Column("by", _String(length=96), nullable=False),
        sa.Column("by_name", _String(length=200), nullable=False),
        sa.Column("created_at", _Time(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_postversion_submission_id"), "postversion", ["submission_id"], unique=False
    )
    op.create_table(
        "archivestate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    state = sa.table("archivestate", sa.column("id", sa.Integer), sa.column("version", sa.Integer))
    op.bulk_insert(state, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("archivestate")
    op.drop_index(op.f("ix_postversion_submission_id"), table_name="postversion")
    op.drop_table("postversion")
    op.drop_index("ix_submission_archive", table_name="submission")
    with op.batch_alter_table("submission") as batch_op:
        batch_op.drop_column("published_credits")
        batch_op.drop_column("published_text")
