"""personal data, withdrawal and erasure, duplicate stories and their merging; old claims
of handled updates dropped by time

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBMITTED = ["submitted_at", "unit_code", "kind", "theme_key"]


def upgrade() -> None:
    op.create_index("ix_processedupdate_created_at", "processedupdate", ["created_at"])
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("keep_personal", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("duplicate_rule", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("purge_warned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_submission_merged_into", ["merged_into"], unique=False)
        # Withdrawn items are not counted as sent: the report's index covers the status too.
        batch_op.drop_index("ix_submission_report_submitted")
        batch_op.create_index("ix_submission_report_submitted", [*SUBMITTED, "status"])


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_report_submitted")
        batch_op.create_index("ix_submission_report_submitted", SUBMITTED)
        batch_op.drop_index("ix_submission_merged_into")
        for name in ("purge_warned_at", "merged_into", "duplicate_rule", "duplicate_of"):
            batch_op.drop_column(name)
        batch_op.drop_column("keep_personal")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    op.drop_index("ix_processedupdate_created_at", table_name="processedupdate")
