"""Summary tables of the statistics dashboard (counts per day, district, housing type, step …)

Revision ID: 0009_statistics_summaries
Revises: 0008_public_service_content
Create Date: 2026-12-06 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0009_statistics_summaries"
down_revision = "0008_public_service_content"
branch_labels = None
depends_on = None

DAY_TABLES = ("stat_application", "stat_duration", "stat_offer", "stat_source_call", "stat_source_check")


def _keys() -> list[sa.Column]:
    return [sa.Column("district", sa.String(64), nullable=False),
            sa.Column("housing_type", sa.String(16), nullable=False)]


def _day() -> sa.Column:
    return sa.Column("day", sa.Date(), nullable=False)


def _n() -> sa.Column:
    return sa.Column("n", sa.Integer(), nullable=False)


def _grain() -> sa.Column:
    return sa.Column("grain", sa.String(1), nullable=False)


def upgrade() -> None:
    op.create_table("stat_workday", sa.Column("day", sa.Date(), nullable=False),
                    sa.Column("workday_no", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("day"))
    op.create_table("stat_application", _day(), *_keys(), sa.Column("measure", sa.String(16), nullable=False),
                    sa.Column("reason_code", sa.String(64), nullable=False),
                    sa.Column("reason_text", sa.String(255), nullable=False), _n(), _grain())
    op.create_table("stat_duration", _day(), *_keys(), sa.Column("step", sa.String(64), nullable=False),
                    sa.Column("workdays", sa.Integer(), nullable=False), sa.Column("on_time", sa.Boolean(), nullable=True),
                    _n(), _grain())
    op.create_table("stat_open_task", *_keys(), sa.Column("step", sa.String(64), nullable=False),
                    sa.Column("overdue", sa.Boolean(), nullable=False), _n())
    op.create_table("stat_waiting", *_keys(), sa.Column("household_type", sa.String(24), nullable=False),
                    sa.Column("priority_group", sa.String(255), nullable=False),
                    sa.Column("waited_days", sa.Integer(), nullable=False), _n())
    op.create_table("stat_offer", _day(), *_keys(), sa.Column("status", sa.String(16), nullable=False), _n(), _grain())
    op.create_table("stat_source_call", _day(), sa.Column("district", sa.String(64), nullable=False),
                    sa.Column("source", sa.String(64), nullable=False), sa.Column("outcome", sa.String(16), nullable=False),
                    sa.Column("latency_ms", sa.Integer(), nullable=False), _n(), _grain())
    op.create_table("stat_source_check", _day(), sa.Column("district", sa.String(64), nullable=False),
                    sa.Column("source", sa.String(64), nullable=False), sa.Column("method", sa.String(16), nullable=False),
                    sa.Column("verdict", sa.String(16), nullable=False), _n(), _grain())
    op.create_table("stat_refresh", sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("refreshed_at", sa.DateTime(), nullable=False),
                    sa.Column("seconds", sa.Float(), nullable=False), sa.Column("districts", JSON, nullable=False),
                    sa.PrimaryKeyConstraint("id"))
    for table in DAY_TABLES:
        op.create_index(f"ix_{table}_district_day", table, ["grain", "district", "day"])
        op.create_index(f"ix_{table}_day", table, ["grain", "day"])


def downgrade() -> None:
    for table in DAY_TABLES:
        op.drop_index(f"ix_{table}_day", table_name=table)
        op.drop_index(f"ix_{table}_district_day", table_name=table)
    for table in ("stat_refresh", "stat_source_check", "stat_source_call", "stat_offer", "stat_waiting",
                  "stat_open_task", "stat_duration", "stat_application", "stat_workday"):
        op.drop_table(table)
