"""Housing stock (房源库): projects, buildings, units and each unit's status history

Revision ID: 0015_stock
Revises: 0014_lottery
Create Date: 2026-12-06 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015_stock"
down_revision = "0014_lottery"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "housing_project",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_housing_project_district", "housing_project", ["district"])
    op.create_index("uq_housing_project_name", "housing_project", ["district", "name"], unique=True)
    op.create_table(
        "housing_building",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("housing_project.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("has_lift", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_housing_building_project_id", "housing_building", ["project_id"])
    op.create_index("uq_housing_building_name", "housing_building", ["project_id", "name"], unique=True)
    op.create_table(
        "housing_unit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("housing_project.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("building_id", sa.Integer(), sa.ForeignKey("housing_building.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("room_no", sa.String(16), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("housing_type", sa.String(16), nullable=False),
        sa.Column("layout", sa.String(16), nullable=False),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("usable_area", sa.Float(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("rent_basis", sa.String(8), nullable=False),
        sa.Column("rent_rate", sa.Float(), nullable=False),
        sa.Column("monthly_rent", sa.Float(), nullable=False),
        sa.Column("facilities", JSON, nullable=False),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("held_by", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("code", name="uq_housing_unit_code"),
    )
    op.create_index("ix_housing_unit_project_id", "housing_unit", ["project_id"])
    op.create_index("ix_housing_unit_building_id", "housing_unit", ["building_id"])
    op.create_index("ix_housing_unit_filter", "housing_unit", ["district", "housing_type", "status"])
    op.create_table(
        "housing_unit_status_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("housing_unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_housing_unit_status_change_unit_id", "housing_unit_status_change", ["unit_id"])


def downgrade() -> None:
    op.drop_table("housing_unit_status_change")
    op.drop_table("housing_unit")
    op.drop_table("housing_building")
    op.drop_table("housing_project")
