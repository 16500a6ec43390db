"""Drive the outbox until nothing is due soon: retries with backoff run, results apply."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from app.db import db, utcnow
from app.models import Job
from app.services import scheduler_service


def settle(timeout: float = 10.0) -> None:
    """Dispatch due retries until no job is pending or queued (needs an app context)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scheduler_service.dispatch_due_jobs()
        with db.session() as session:
            waiting = session.scalar(select(func.count()).where(Job.state.in_(("pending", "queued", "running"))))
            next_due = session.scalar(select(func.min(Job.run_after)).where(Job.state == "pending"))
        if not waiting:
            return
        pause = 0.01 if next_due is None else max(0.0, (next_due - utcnow()).total_seconds())
        time.sleep(min(pause, 0.2))
    raise AssertionError("jobs did not settle in time")
