"""units' own pages: posts they made there themselves, and their pages' audience by day

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_String = sqlmodel.sql.sqltypes.AutoString
_Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "directpost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_code", _String(length=32), nullable=False),
        sa.Column("platform", _String(length=16), nullable=False),
        sa.Column("target", _String(length=64), nullable=False),
        sa.Column("post_id", _String(length=96), nullable=False),
        sa.Column("link", _String(length=256), nullable=True),
        sa.Column("kind", _String(length=16), nullable=False),
        sa.Column("posted_at", _Time(), nullable=False),
        sa.Column("gone_at", _Time(), nullable=True),
        sa.Column("created_at", _Time(), nullable=False),
        sa.Column("updated_at", _Time(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "target", "post_id"),
    )
    op.create_index(
        "ix_direct_post_report", "directpost", ["posted_at", "unit_code", "gone_at"], unique=False
    )
    op.create_table(
        "pagereading",
        sa.Column("platform", _String(length=16), nullable=False),
        sa.Column("target", _String(length=64), nullable=False),
        sa.Column("day", _String(length=10), nullable=False),
        sa.Column("unit_code", _String(length=32), nullable=False),
        sa.Column("followers", sa.Integer(), nullable=True),
        sa.Column("fans", sa.Integer(), nullable=True),
        sa.Column("created_at", _Time(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "target", "day"),
    )
    op.create_index(op.f("ix_pagereading_unit_code"), "pagereading", ["unit_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pagereading_unit_code"), table_name="pagereading")
    op.drop_table("pagereading")
    op.drop_index("ix_direct_post_report", table_name="directpost")
    op.drop_table("directpost")
