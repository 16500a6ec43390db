"""Hold each ID number in at most one open application per housing type (household_claim)

The oldest open application of each (housing type, ID number) keeps its claim; newer duplicate
applications that already exist stay as they are, but no new one can be submitted.

Revision ID: 0006_access_household_claims
Revises: 0005_batch_import_jobs
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006_access_household_claims"
down_revision = "0005_batch_import_jobs"
branch_labels = None
depends_on = None

#: case statuses after which the ID numbers are free again (app.models.case.CLOSED_STATUSES)
CLOSED = ("rejected", "withdrawn", "exited")


def upgrade() -> None:
    claims = op.create_table(
        "household_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("application.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("application_no", sa.String(32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("housing_type", "id_number", name="uq_household_claim_type_id_number"),
    )
    op.create_index("ix_household_claim_application_id", "household_claim", ["application_id"])
    rows = op.get_bind().execute(sa.text(
        "SELECT a.id, a.application_no, a.housing_type, m.id_number FROM application a "
        "JOIN household_member m ON m.application_id = a.id "
        f"WHERE a.status NOT IN ({', '.join(repr(s) for s in CLOSED)}) "
        "ORDER BY a.submitted_at, a.id")).all()
    now = datetime.now(UTC).replace(tzinfo=None)
    seen: set[tuple[str, str]] = set()
    backfill = []
    for application_id, application_no, housing_type, id_number in rows:
        if (housing_type, id_number) in seen:
            continue
        seen.add((housing_type, id_number))
        backfill.append({"housing_type": housing_type, "id_number": id_number, "application_id": application_id,
                         "application_no": application_no, "claimed_at": now})
    if backfill:
        op.bulk_insert(claims, backfill)


def downgrade() -> None:
    op.drop_index("ix_household_claim_application_id", table_name="household_claim")
    op.drop_table("household_claim")
