"""Keyset pages of human tasks in deadline order, in shapes PostgreSQL's indexes can serve.

Two rules found with ``EXPLAIN (ANALYZE, BUFFERS)`` on 2,000,000 tasks (see docs/performance.md):

* no ``OR`` across visibility branches — each branch (my claimed tasks, my groups in my
  district, my groups with no district) is its own query, merged here in deadline order;
* no ``ORDER BY COALESCE(due_at, …)`` — tasks with a deadline are read by ``(due_at, id)``,
  then those without by ``id``: two legs an index walks and stops after a page.

Used by the reviewer inbox and by ``GET /api/v1/tasks``.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from sqlalchemy import Select, text, tuple_

from app.db import db
from app.models import HumanTask
from app.services.errors import ValidationFailed

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def no_parallel_workers(session) -> None:
    """Keep PostgreSQL from starting parallel workers for this read (ended with the session).

    Every page query stops after a few rows; starting and gathering workers costs more than the
    whole query (on 2M tasks: 60 ms with workers, 2–6 ms without).
    """
    if not db.is_sqlite:
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def deadline_legs(session, base: Select, cursor: tuple[datetime | None, str] | None, limit: int,
                  dated_only: bool = False) -> list[HumanTask]:
    """Up to ``limit + 1`` rows of ``base`` after ``cursor``: dated ones by deadline, then
    undated ones by id (unless ``dated_only``)."""
    last_due, last_id = cursor or (None, None)
    tasks: list[HumanTask] = []
    if last_id is None or last_due is not None:
        dated = base.where(HumanTask.due_at.is_not(None))
        if last_id is not None:
            dated = dated.where(tuple_(HumanTask.due_at, HumanTask.id) > tuple_(last_due, last_id))
        tasks = list(session.scalars(dated.order_by(HumanTask.due_at, HumanTask.id).limit(limit + 1)))
        last_id = None
    if len(tasks) <= limit and not dated_only:
        undated = base.where(HumanTask.due_at.is_(None))
        if last_id is not None:
            undated = undated.where(HumanTask.id > last_id)
        tasks += session.scalars(undated.order_by(HumanTask.id).limit(limit + 1 - len(tasks)))
    return tasks


def deadline_page(session, branches: list[Select], cursor: tuple[datetime | None, str] | None, limit: int,
                  dated_only: bool = False) -> tuple[list[HumanTask], bool]:
    """One page across branches merged in deadline order (no deadline last); and whether more follow."""
    seen: dict[str, HumanTask] = {}
    for branch in branches:
        for task in deadline_legs(session, branch, cursor, limit, dated_only):
            seen.setdefault(task.id, task)  # a task may stand in two branches (mine and my group's)
    tasks = sorted(seen.values(), key=deadline_key)
    return tasks[:limit], len(tasks) > limit


def deadline_key(task: HumanTask) -> tuple:
    """The deadline order: by due time, tasks without one last, ties by id."""
    return (task.due_at is None, task.due_at or FAR_FUTURE, task.id)


def encode_cursor(value: datetime | None, task_id: str) -> str:
    """An opaque cursor after ``(value, task_id)``."""
    raw = json.dumps([value.isoformat() if value else None, task_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, str]:
    """The ``(value, task_id)`` of a cursor; :class:`ValidationFailed` if it is not one."""
    try:
        value, task_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return (datetime.fromisoformat(value) if value else None), str(task_id)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("invalid cursor", {"cursor": ["not a cursor from this list"]}) from exc
