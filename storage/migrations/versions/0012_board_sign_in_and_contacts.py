"""the office's board: one-time sign-in tokens, web sessions, unit contacts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_String = sqlmodel.sql.sqltypes.AutoString
_Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "signintoken",
        sa.Column("token_hash", _String(length=64), nullable=False),
        sa.Column("who", _String(length=96), nullable=False),
        sa.Column("expires_at", _Time(), nullable=False),
        sa.Column("used_at", _Time(), nullable=True),
        sa.Column("created_at", _Time(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "websession",
        sa.Column("id_hash", _String(length=64), nullable=False),
        sa.Column("who", _String(length=96), nullable=False),
        sa.Column("expires_at", _Time(), nullable=False),
        sa.Column("created_at", _Time(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index(op.f("ix_websession_who"), "websession", ["who"], unique=False)
    op.create_table(
        "unitcontact",
        sa.Column("unit_code", _String(length=32), nullable=False),
        sa.Column("who", _String(length=96), nullable=False),
        sa.Column("added_by", _String(length=96), nullable=False),
        sa.Column("created_at", _Time(), nullable=False),
        sa.ForeignKeyConstraint(["unit_code"], ["unit.code"]),
        sa.PrimaryKeyConstraint("unit_code", "who"),
    )


def downgrade() -> None:
    op.drop_table("unitcontact")
    op.drop_index(op.f("ix_websession_who"), table_name="websession")
    op.drop_table("websession")
    op.drop_table("signintoken")
