"""Create the business case tables: applications, households, verification, publication, allocation, tenancy

Revision ID: 0003_case_records
Revises: 0002_decision_evaluation
Create Date: 2026-11-22 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0003_case_records"
down_revision = "0002_decision_evaluation"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _application_fk() -> sa.Column:
    return sa.Column("application_id", sa.Integer(), sa.ForeignKey("application.id", ondelete="CASCADE"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "case_counter",
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix"),
    )
    op.create_table(
        "application",
        _id(),
        sa.Column("application_no", sa.String(32), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("applicant_username", sa.String(64), nullable=False),
        sa.Column("applicant_name", sa.String(64), nullable=False),
        sa.Column("applicant_name_masked", sa.String(64), nullable=False),
        sa.Column("applicant_id_number", sa.String(18), nullable=False),
        sa.Column("applicant_phone", sa.String(20), nullable=False),
        sa.Column("household_type", sa.String(24), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("current_step", sa.String(64), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=True),
        sa.Column("priority_score", sa.Float(), nullable=True),
        sa.Column("suggested_opinion", sa.Text(), nullable=False),
        sa.Column("declared", JSON, nullable=False),
        sa.Column("outcome", JSON, nullable=False),
        sa.Column("supplement", JSON, nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_no"),
    )
    op.create_index("ix_application_district", "application", ["district"])
    op.create_index("ix_application_instance_id", "application", ["instance_id"])
    op.create_index("ix_application_applicant_username", "application", ["applicant_username"])
    op.create_index("ix_application_status", "application", ["status"])
    op.create_index("ix_application_status_district", "application", ["status", "district"])
    op.create_table(
        "household_member",
        _id(),
        _application_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("declared_monthly_income", sa.Float(), nullable=False),
        sa.Column("employer", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "id_number", name="uq_member_application_id_number"),
    )
    op.create_index("ix_household_member_application_id", "household_member", ["application_id"])
    op.create_table(
        "verification_result",
        _id(),
        _application_fk(),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_name", sa.String(64), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("member_name", sa.String(64), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("checked_by", sa.String(64), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "source", "id_number", name="uq_verification_member_source"),
    )
    op.create_index("ix_verification_result_application_id", "verification_result", ["application_id"])
    _publication_tables()
    _allocation_tables()
    _tenancy_tables()


def _publication_tables() -> None:
    op.create_table(
        "publication",
        _id(),
        sa.Column("batch_no", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("platform_id", sa.String(64), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_no"),
    )
    op.create_index("ix_publication_status", "publication", ["status"])
    op.create_index("ix_publication_open_ends", "publication", ["status", "ends_on"])
    op.create_table(
        "publication_entry",
        _id(),
        sa.Column("publication_id", sa.Integer(), sa.ForeignKey("publication.id", ondelete="CASCADE"),
                  nullable=False),
        _application_fk(),
        sa.Column("application_no", sa.String(32), nullable=False),
        sa.Column("masked_name", sa.String(64), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("publication_id", "application_no", name="uq_entry_publication_case"),
    )
    op.create_index("ix_publication_entry_publication_id", "publication_entry", ["publication_id"])
    op.create_index("ix_publication_entry_application_id", "publication_entry", ["application_id"])
    op.create_index("ix_publication_entry_application_no", "publication_entry", ["application_no"])
    op.create_table(
        "objection",
        _id(),
        _application_fk(),
        sa.Column("application_no", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("publication_entry.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("objector_name", sa.String(64), nullable=False),
        sa.Column("objector_id_number", sa.String(18), nullable=False),
        sa.Column("objector_phone", sa.String(20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_objection_application_id", "objection", ["application_id"])
    op.create_index("ix_objection_application_no", "objection", ["application_no"])
    op.create_index("ix_objection_case_status", "objection", ["application_no", "status"])


def _allocation_tables() -> None:
    op.create_table(
        "waiting_list_entry",
        _id(),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("application.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("application_no", sa.String(32), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("priority_groups", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("declines", sa.Integer(), nullable=False),
        sa.Column("round_penalty", sa.Integer(), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
        sa.UniqueConstraint("application_no"),
    )
    op.create_index("ix_waiting_queue", "waiting_list_entry",
                    ["housing_type", "district", "status", "round_penalty", "score"])
    op.create_table(
        "allocation_round",
        _id(),
        sa.Column("round_no", sa.String(32), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("units", JSON, nullable=False),
        sa.Column("seed_hash", sa.String(64), nullable=False),
        sa.Column("seed", sa.String(128), nullable=True),
        sa.Column("participants", JSON, nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_no"),
    )
    op.create_index("ix_allocation_round_instance_id", "allocation_round", ["instance_id"])
    op.create_table(
        "allocation_offer",
        _id(),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("allocation_round.id", ondelete="CASCADE"),
                  nullable=False),
        _application_fk(),
        sa.Column("application_no", sa.String(32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("unit_address", sa.String(200), nullable=False),
        sa.Column("unit_area", sa.Float(), nullable=False),
        sa.Column("monthly_rent", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("offered_at", sa.DateTime(), nullable=False),
        sa.Column("responded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_allocation_offer_round_id", "allocation_offer", ["round_id"])
    op.create_index("ix_allocation_offer_application_id", "allocation_offer", ["application_id"])
    op.create_index("ix_allocation_offer_application_no", "allocation_offer", ["application_no"])


def _tenancy_tables() -> None:
    op.create_table(
        "lease",
        _id(),
        sa.Column("lease_no", sa.String(32), nullable=False),
        _application_fk(),
        sa.Column("application_no", sa.String(32), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("unit_address", sa.String(200), nullable=False),
        sa.Column("unit_area", sa.Float(), nullable=False),
        sa.Column("monthly_rent", sa.Float(), nullable=False),
        sa.Column("deposit", sa.Float(), nullable=False),
        sa.Column("rent_basis", sa.String(16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("schedule", JSON, nullable=False),
        sa.Column("contract_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("contract_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("moved_in_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lease_no"),
    )
    op.create_index("ix_lease_application_id", "lease", ["application_id"])
    op.create_index("ix_lease_application_no", "lease", ["application_no"])
    op.create_index("ix_lease_instance_id", "lease", ["instance_id"])
    op.create_index("ix_lease_status", "lease", ["status"])
    op.create_table(
        "annual_review",
        _id(),
        sa.Column("lease_id", sa.Integer(), sa.ForeignKey("lease.id", ondelete="CASCADE"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=True),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lease_id", "year", name="uq_review_lease_year"),
    )
    op.create_index("ix_annual_review_lease_id", "annual_review", ["lease_id"])
    op.create_index("ix_annual_review_instance_id", "annual_review", ["instance_id"])
    op.create_table(
        "tenancy_exit",
        _id(),
        sa.Column("lease_id", sa.Integer(), sa.ForeignKey("lease.id", ondelete="CASCADE"), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ground", sa.String(16), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("moving_deadline", sa.Date(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("deposit_refund", sa.Float(), nullable=True),
        sa.Column("deductions", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("instance_id"),
    )
    op.create_index("ix_tenancy_exit_lease_id", "tenancy_exit", ["lease_id"])


def downgrade() -> None:
    for table in ("tenancy_exit", "annual_review", "lease", "allocation_offer", "allocation_round",
                  "waiting_list_entry", "objection", "publication_entry", "publication", "verification_result",
                  "household_member", "application", "case_counter"):
        op.drop_table(table)
