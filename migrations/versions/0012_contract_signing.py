"""Signed contracts: one-time SMS codes for signing, the signer, the contract's text and the PAdES-signed PDF of a lease

Revision ID: 0012_contract_signing
Revises: 0011_complaints_complaint
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_contract_signing"
down_revision = "0011_complaints_complaint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lease_no", sa.String(32), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signing_code_lease_no", "signing_code", ["lease_no"])
    with op.batch_alter_table("lease") as batch:
        batch.add_column(sa.Column("signer_name", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("signed_pdf", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("signed_sha256", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("contract_text", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("lease") as batch:
        batch.drop_column("contract_text")
        batch.drop_column("signed_sha256")
        batch.drop_column("signed_pdf")
        batch.drop_column("signer_name")
    op.drop_index("ix_signing_code_lease_no", table_name="signing_code")
    op.drop_table("signing_code")
