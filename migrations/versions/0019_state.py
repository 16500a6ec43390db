"""Finished work cut from an instance's live state is kept apart (process_instance_archive)

Revision ID: 0019_state
Revises: 0018_supervision
Create Date: 2026-12-06 12:45:00

Existing states need no rewrite: they load as before and the next step of each instance cuts
its finished work into this table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019_state"
down_revision = "0018_supervision"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "process_instance_archive",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instance.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("nodes", JSON, nullable=False),
        sa.Column("tasks", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_process_instance_archive_instance_id", "process_instance_archive", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_process_instance_archive_instance_id", table_name="process_instance_archive")
    op.drop_table("process_instance_archive")
