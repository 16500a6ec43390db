"""Give every user a token version: raising it ends every token and session the user holds;
and the display mode (长辈模式) each user chose

Revision ID: 0007_auth_token_version
Revises: 0006_access_household_claims
Create Date: 2026-12-06 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_auth_token_version"
down_revision = "0006_access_household_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("elder_mode", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("elder_mode")
        batch.drop_column("token_version")
