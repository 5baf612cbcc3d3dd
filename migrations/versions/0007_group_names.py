"""group names: a broker's name for a dashboard group, kept with its members

Revision ID: 0005_group_names
Revises: 0005_learning
Create Date: 2026-11-30 00:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_group_names"
down_revision: str | None = "0005_learning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_names",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("network_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("token_id", sa.String(length=24), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_group_names_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_names")),
    )
    with op.batch_alter_table("group_names", schema=None) as batch_op:
        batch_op.create_index("ix_group_names_network", ["network_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("group_names", schema=None) as batch_op:
        batch_op.drop_index("ix_group_names_network")
    op.drop_table("group_names")
