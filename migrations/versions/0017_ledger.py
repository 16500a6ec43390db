"""Rent ledger: bills generated from each lease's schedule and the payments received (ledger_bill, ledger_payment)

Revision ID: 0017_ledger
Revises: 0016_messages
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_ledger"
down_revision = "0016_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_bill",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lease_id", sa.Integer(), sa.ForeignKey("lease.id", ondelete="CASCADE"), nullable=False),
        sa.Column("lease_no", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("paid_amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("last_reminded_at", sa.DateTime(), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("lease_id", "kind", "due_on", name="uq_ledger_bill_lease_kind_due"),
    )
    op.create_index("ix_ledger_bill_lease_id", "ledger_bill", ["lease_id"])
    op.create_index("ix_ledger_bill_lease_no", "ledger_bill", ["lease_no"])
    op.create_index("ix_ledger_bill_due_on", "ledger_bill", ["due_on"])
    op.create_index("ix_ledger_bill_status", "ledger_bill", ["status"])
    op.create_table(
        "ledger_payment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lease_id", sa.Integer(), sa.ForeignKey("lease.id", ondelete="CASCADE"), nullable=False),
        sa.Column("lease_no", sa.String(32), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(64), nullable=True, unique=True),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_ledger_payment_lease_id", "ledger_payment", ["lease_id"])
    op.create_index("ix_ledger_payment_lease_no", "ledger_payment", ["lease_no"])


def downgrade() -> None:
    op.drop_table("ledger_payment")
    op.drop_table("ledger_bill")
