"""Keep batch imports in the database: the upload, its applications and the problems per row

Revision ID: 0005_batch_import_jobs
Revises: 0004_inbox_done_index
Create Date: 2026-12-03 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0005_batch_import_jobs"
down_revision = "0004_inbox_done_index"
branch_labels = None
depends_on = None


def _job_fk() -> sa.Column:
    return sa.Column("job_id", sa.String(32), sa.ForeignKey("import_job.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_job_owner_created", "import_job", ["owner", "created_at"])
    op.create_table(
        "import_application",
        sa.Column("id", sa.Integer(), nullable=False),
        _job_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.String(64), nullable=False),
        sa.Column("row_numbers", JSON, nullable=False),
        sa.Column("head_row", sa.Integer(), nullable=False),
        sa.Column("applicant_username", sa.String(64), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("form", JSON, nullable=True),
        sa.Column("application_no", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_application_job_state", "import_application", ["job_id", "state", "position"])
    op.create_table(
        "import_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        _job_fk(),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column_title", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_problem_job_id", "import_problem", ["job_id"])


def downgrade() -> None:
    op.drop_table("import_problem")
    op.drop_table("import_application")
    op.drop_table("import_job")
