"""change log: what each revision changed (ids and dates only), for incremental snapshots

Revision ID: 0008_change_log
Revises: 0005_group_names
Create Date: 2026-11-30 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_change_log"
down_revision: str | None = "0005_group_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("network_id", sa.String(length=24), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what", sa.String(length=8), nullable=False),
        sa.Column("actor_id", sa.String(length=24), nullable=True),
        sa.Column("other_id", sa.String(length=24), nullable=True),
        sa.Column("before", sa.Boolean(), nullable=True),
        sa.Column("before_since", sa.Date(), nullable=True),
        sa.Column("before_until", sa.Date(), nullable=True),
        sa.Column("after", sa.Boolean(), nullable=True),
        sa.Column("after_since", sa.Date(), nullable=True),
        sa.Column("after_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_changes_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_changes_network_revision", ["network_id", "revision"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_network_revision")
    op.drop_table("changes")
