"""Summary table of the statistics dashboard's complaints panel (stat_complaint)

Revision ID: 0013_statistics_complaints
Revises: 0012_contract_signing
Create Date: 2026-12-06 07:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_statistics_complaints"
down_revision = "0012_contract_signing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_complaint",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("workdays", sa.Integer(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(1), nullable=False),
    )
    op.create_index("ix_stat_complaint_district_day", "stat_complaint", ["grain", "district", "day"])
    op.create_index("ix_stat_complaint_day", "stat_complaint", ["grain", "day"])


def downgrade() -> None:
    op.drop_index("ix_stat_complaint_day", table_name="stat_complaint")
    op.drop_index("ix_stat_complaint_district_day", table_name="stat_complaint")
    op.drop_table("stat_complaint")
