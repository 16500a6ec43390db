"""Index the reviewer inbox's done tab: tasks one user completed, newest first

Revision ID: 0004_inbox_done_index
Revises: 0003_case_records
Create Date: 2026-11-22 04:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004_inbox_done_index"
down_revision = "0003_case_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_human_task_done", "human_task", ["completed_by", "completed_at", "id"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_human_task_done", table_name="human_task", if_exists=True)
