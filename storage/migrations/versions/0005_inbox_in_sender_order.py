"""inbox rows keep their sender and order

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sender",
                sqlmodel.sql.sqltypes.AutoString(length=96),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.create_index("ix_inbox_sender_seq", ["sender", "seq"], unique=False)
    # Rows stored before: each is its own sender, so each is still handled.
    op.execute("UPDATE inbox SET sender = key WHERE sender = ''")


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_sender_seq")
        batch_op.drop_column("seq")
        batch_op.drop_column("sender")
