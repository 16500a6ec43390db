"""Add the complaint table: complaints filed in the portal, on the public page, by hotline or at a window

Revision ID: 0011_complaints_complaint
Revises: 0010_audit_keyed_chain
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_complaints_complaint"
down_revision = "0010_audit_keyed_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("complaint_no", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("district", sa.String(64), nullable=True),
        sa.Column("application_no", sa.String(32), nullable=True),
        sa.Column("lease_no", sa.String(32), nullable=True),
        sa.Column("complainant_name", sa.String(64), nullable=False),
        sa.Column("complainant_phone", sa.String(32), nullable=False),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("complaint_no", name="uq_complaint_complaint_no"),
        sa.UniqueConstraint("token_hash", name="uq_complaint_token_hash"),
    )
    op.create_index("ix_complaint_username", "complaint", ["username"])


def downgrade() -> None:
    op.drop_index("ix_complaint_username", table_name="complaint")
    op.drop_table("complaint")
