"""Record every decision table evaluation with its facts, for policy-impact previews

Revision ID: 0002_decision_evaluation
Revises: 0001_engine_host
Create Date: 2026-11-22 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0002_decision_evaluation"
down_revision = "0001_engine_host"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("process_key", sa.String(length=255), nullable=False),
        sa.Column("business_key", sa.String(length=255), nullable=True),
        sa.Column("decision_id", sa.String(length=255), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=True),
        sa.Column("bpmn_id", sa.String(length=255), nullable=False),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("outputs", JSON, nullable=False),
        sa.Column("matched", JSON, nullable=False),
        sa.Column("evaluated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_evaluation_instance_id", "decision_evaluation", ["instance_id"])
    op.create_index("ix_decision_evaluation_decision", "decision_evaluation", ["decision_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_decision_evaluation_decision", table_name="decision_evaluation")
    op.drop_index("ix_decision_evaluation_instance_id", table_name="decision_evaluation")
    op.drop_table("decision_evaluation")
