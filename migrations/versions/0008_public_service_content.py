"""Add the public-service content staff edit: policy documents and FAQ entries

Revision ID: 0008_public_service_content
Revises: 0007_auth_token_version
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_public_service_content"
down_revision = "0007_auth_token_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("doc_no", sa.String(100), nullable=False),
        sa.Column("issuer", sa.String(100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("pdf_name", sa.String(200), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_policy_document_listing", "policy_document", ["published", "housing_type", "city"])
    op.create_table(
        "faq_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_faq_entry_listing", "faq_entry", ["published", "position"])


def downgrade() -> None:
    op.drop_index("ix_faq_entry_listing", table_name="faq_entry")
    op.drop_table("faq_entry")
    op.drop_index("ix_policy_document_listing", table_name="policy_document")
    op.drop_table("policy_document")
