"""Indexes that another index of the same table already covers dropped

Revision ID: 0022_redundant_indexes
Revises: 0021_lz4_state
Create Date: 2026-12-07 18:00:00

Each of these indexes is the first column of another index or unique constraint of its table,
which answers the same lookups. They are on the tables a case writes most: every job row is
inserted and then updated three times (claimed, its result, applied), and an update that changes
its state writes an entry into every index of the table; a case's verification writes one row
per member and source; its household and its status are written at each registration and
milestone. Keeping them cost a write per index per row version and bought no read.

* ``job(instance_id)`` — covered by ``ix_job_instance_state (instance_id, state)``;
* ``verification_result(application_id)`` — by ``uq_verification_member_source
  (application_id, source, id_number)``;
* ``household_member(application_id)`` — by ``uq_member_application_id_number
  (application_id, id_number)``;
* ``application(status)`` — by ``ix_application_status_district (status, district)``.
"""

from __future__ import annotations

from alembic import op

revision = "0022_redundant_indexes"
down_revision = "0021_lz4_state"
branch_labels = None
depends_on = None

INDEXES = (("ix_job_instance_id", "job", "instance_id"),
           ("ix_verification_result_application_id", "verification_result", "application_id"),
           ("ix_household_member_application_id", "household_member", "application_id"),
           ("ix_application_status", "application", "status"))


def upgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])
