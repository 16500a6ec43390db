"""The applicant's messages (applicant_message): every SMS sent to an applicant, shown again in the portal

Revision ID: 0016_messages
Revises: 0015_stock
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016_messages"
down_revision = "0015_stock"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "applicant_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("subject_no", sa.String(64), nullable=True),
        sa.Column("source_key", sa.String(128), nullable=False, unique=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_applicant_message_username", "applicant_message", ["username"])


def downgrade() -> None:
    op.drop_index("ix_applicant_message_username", table_name="applicant_message")
    op.drop_table("applicant_message")
