"""Key the audit chain: per-subject sequence numbers, locked chain heads, checkpoints, verifications

Existing events keep their unkeyed hashes (key_id ""); their sequence numbers and chain heads are
filled in from the table. Incidents may now stand without an instance (an audit break).

Revision ID: 0010_audit_keyed_chain
Revises: 0009_statistics_summaries
Create Date: 2026-12-06 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_audit_keyed_chain"
down_revision = "0009_statistics_summaries"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("key_id", sa.String(16), nullable=False, server_default=""))
    op.execute(
        "UPDATE audit_event SET seq = (SELECT count(*) FROM audit_event e"
        " WHERE e.subject_type = audit_event.subject_type AND e.subject_id = audit_event.subject_id"
        " AND e.id <= audit_event.id)"
    )
    op.create_index("ix_audit_subject_seq", "audit_event", ["subject_type", "subject_id", "seq"], unique=True)
    op.create_table(
        "audit_chain_head",
        sa.Column("subject_type", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(255), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id"),
    )
    op.execute(
        "INSERT INTO audit_chain_head (subject_type, subject_id, head_hash, count)"
        " SELECT subject_type, subject_id,"
        " (SELECT e.hash FROM audit_event e WHERE e.subject_type = a.subject_type"
        "  AND e.subject_id = a.subject_id ORDER BY e.id DESC LIMIT 1), count(*)"
        " FROM audit_event a GROUP BY subject_type, subject_id"
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("events", BIGINT, nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("leaves", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("events", BIGINT, nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("breaks", JSON, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_verification_started", "audit_verification", ["started_at"])
    with op.batch_alter_table("incident") as batch:
        batch.alter_column("instance_id", existing_type=sa.String(36), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM incident WHERE instance_id IS NULL")
    with op.batch_alter_table("incident") as batch:
        batch.alter_column("instance_id", existing_type=sa.String(36), nullable=False)
    op.drop_index("ix_audit_verification_started", table_name="audit_verification")
    op.drop_table("audit_verification")
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_chain_head")
    op.drop_index("ix_audit_subject_seq", table_name="audit_event")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("key_id")
        batch.drop_column("seq")
