"""a platform's OAuth tokens (the Zalo OA's) and each person's last contact (its window)

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_String = sqlmodel.sql.sqltypes.AutoString
_Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "platformtoken",
        sa.Column("platform", _String(length=16), nullable=False),
        sa.Column("access_token", _String(), nullable=False),
        sa.Column("access_expires_at", _Time(), nullable=False),
        sa.Column("refresh_token", _String(), nullable=False),
        sa.Column("refresh_expires_at", _Time(), nullable=False),
        sa.Column("refreshed_at", _Time(), nullable=False),
        sa.Column("refused", _String(length=300), nullable=True),
        sa.Column("updated_at", _Time(), nullable=False),
        sa.Column("refreshing_by", _String(length=32), nullable=True),
        sa.Column("refreshing_until", _Time(), nullable=True),
        sa.PrimaryKeyConstraint("platform"),
    )
    op.create_table(
        "lastcontact",
        sa.Column("platform", _String(length=16), nullable=False),
        sa.Column("user_id", _String(length=64), nullable=False),
        sa.Column("at", _Time(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("lastcontact")
    op.drop_table("platformtoken")
