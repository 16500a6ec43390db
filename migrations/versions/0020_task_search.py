"""Inbox search by application number served by indexes

Revision ID: 0020_task_search
Revises: 0019_state
Create Date: 2026-12-06 16:00:00

The inbox finds a case's tasks by its application number: the application's own key, its
lease's key (``L`` + number), the lease's later instances by prefix (``L<number>-…``) and the
number in the task summary. Without these indexes that ``OR`` is a scan of every task (over
100 ms at a million cases); with them it is a bitmap OR of three index probes.

* ``business_key varchar_pattern_ops``: a btree the prefix ``LIKE`` can use whatever the
  database's collation (only the ``C`` collation lets the ordinary index serve it);
* ``summary ->> 'application_no'``: the number a task's summary carries.

PostgreSQL only: SQLite (the embedded demo) scans its few rows.
"""

from __future__ import annotations

from alembic import op

revision = "0020_task_search"
down_revision = "0019_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_human_task_business_key_prefix ON human_task (business_key varchar_pattern_ops)")
    op.execute("CREATE INDEX ix_human_task_application_no ON human_task ((summary ->> 'application_no'))")
    # an expression index has no statistics until the table is analysed: without them the
    # planner guesses thousands of matches and prefers walking the tab's own index
    op.execute("ANALYZE human_task")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_human_task_application_no")
    op.execute("DROP INDEX IF EXISTS ix_human_task_business_key_prefix")
