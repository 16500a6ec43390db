"""Dynamic supervision: one row per periodic re-check of a lease (supervision_check)

Revision ID: 0018_supervision
Revises: 0017_ledger
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018_supervision"
down_revision = "0017_ledger"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "supervision_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lease_id", sa.Integer(), sa.ForeignKey("lease.id", ondelete="CASCADE"), nullable=False),
        sa.Column("lease_no", sa.String(32), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("usage", JSON, nullable=False),
        sa.Column("warnings", JSON, nullable=False),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("notice", JSON, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("lease_id", "period", name="uq_supervision_lease_period"),
    )
    for column in ("lease_id", "lease_no", "district", "instance_id", "status", "started_at"):
        op.create_index(f"ix_supervision_check_{column}", "supervision_check", [column])


def downgrade() -> None:
    for column in ("lease_id", "lease_no", "district", "instance_id", "status", "started_at"):
        op.drop_index(f"ix_supervision_check_{column}", table_name="supervision_check")
    op.drop_table("supervision_check")
