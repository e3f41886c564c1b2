"""media: a photo's thumbnail in the store, and the tries at archiving its bytes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media") as batch:
        batch.add_column(
            sa.Column("thumb_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.add_column(
            sa.Column("archive_tries", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_index("ix_media_thumb_sha256", ["thumb_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("media") as batch:
        batch.drop_index("ix_media_thumb_sha256")
        batch.drop_column("archive_tries")
        batch.drop_column("thumb_sha256")
