"""bans and report indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 03:07:11.008999
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ban",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("banned_by", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("lifted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ban", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ban_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_report_sent",
            ["kind", "status", "sent_at", "platform", "chat_id", "submission_id"],
            unique=False,
        )

    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_report_decided",
            ["decided_at", "status", "unit_code", "submitted_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_submission_report_published",
            ["published_at", "unit_code", "kind", "member_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_submission_report_submitted",
            ["submitted_at", "unit_code", "kind", "theme_key"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_report_submitted")
        batch_op.drop_index("ix_submission_report_published")
        batch_op.drop_index("ix_submission_report_decided")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_report_sent")

    with op.batch_alter_table("ban", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ban_user_id"))

    op.drop_table("ban")
