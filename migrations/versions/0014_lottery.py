"""Lottery rounds record when the seed hash was published and the draw algorithm's name

Revision ID: 0014_lottery
Revises: 0013_statistics_complaints
Create Date: 2026-12-06 09:30:00

Rounds drawn before this revision used the same algorithm (``sha256-sort-v1``) and published
their hash when the round was opened, so both are filled in from what is already stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_lottery"
down_revision = "0013_statistics_complaints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("allocation_round") as batch:
        batch.add_column(sa.Column("seed_hash_published_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("algorithm", sa.String(32), nullable=False, server_default=""))
    op.execute("UPDATE allocation_round SET algorithm = 'sha256-sort-v1', seed_hash_published_at = created_at "
               "WHERE method = 'lottery' AND seed_hash <> ''")


def downgrade() -> None:
    with op.batch_alter_table("allocation_round") as batch:
        batch.drop_column("algorithm")
        batch.drop_column("seed_hash_published_at")
