"""units' headcount and an item's events as set by an editor

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("members", sa.Integer(), nullable=True))
    with op.batch_alter_table("submission") as batch:
        batch.add_column(
            sa.Column("events", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("events")
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("members")
