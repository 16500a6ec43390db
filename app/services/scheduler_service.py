"""The periodic sweep: due retries, lost jobs, expired leases, unapplied results, timers,
stuck instances.

PostgreSQL is the truth and a queued job only a prompt. Whatever Redis loses (a FLUSHALL, a
worker killed mid-job) the sweep finds in the job table and hands to the runner again.

The sweep is a list of :class:`Periodic` tasks (:data:`PERIODIC`), each with its own interval;
a :class:`Scheduler` runs the ones that are due. Add a periodic check by appending to the list.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.db import db, utcnow
from app.models import Job
from app.services import context, incident_service, job_service, timer_service

log = logging.getLogger(__name__)
#: A queued job the runner does not know about, or a finished one not yet applied, is
#: considered lost after this many seconds.
GRACE_SECONDS = 10
BATCH = 500


def dispatch_due_jobs(now: datetime | None = None) -> list[str]:
    """Queue every pending job whose retry time has come."""
    now = now or utcnow()
    with db.transaction() as session:
        query = select(Job.id).where(Job.state == "pending", Job.run_after <= now).limit(BATCH)
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            session.execute(update(Job).where(Job.id.in_(ids)).values(state="queued", updated_at=now))
    if ids:
        context.runner().submit(ids)
    return ids


def reclaim_expired_leases(now: datetime | None = None) -> list[str]:
    """Jobs whose worker died mid-call (lease expired) go back to the queue."""
    now = now or utcnow()
    with db.transaction() as session:
        ids = list(session.scalars(
            select(Job.id).where(Job.state == "running", Job.lease_until < now).limit(BATCH)))
        if ids:
            session.execute(update(Job).where(Job.id.in_(ids)).values(state="queued", updated_at=now,
                                                                       lease_until=None))
    if ids:
        log.warning("re-queued %d job(s) whose lease expired", len(ids))
        context.runner().submit(ids, force=True)
    return ids


def requeue_lost(now: datetime | None = None, grace: float = GRACE_SECONDS) -> list[str]:
    """Queued jobs the runner no longer holds (Redis lost them) are handed over again."""
    now = now or utcnow()
    with db.session() as session:
        ids = list(session.scalars(
            select(Job.id).where(Job.state == "queued", Job.updated_at < now - timedelta(seconds=grace))
            .limit(BATCH)))
    runner = context.runner()
    lost = [i for i in ids if not runner.holds(i)]
    if lost:
        log.warning("re-queued %d job(s) the queue had lost", len(lost))
        runner.submit(lost)
    return lost


def apply_stranded_results(now: datetime | None = None, grace: float = GRACE_SECONDS) -> int:
    """Finished jobs whose instance was never resumed (the worker died in between)."""
    now = now or utcnow()
    with db.session() as session:
        instance_ids = set(session.scalars(
            select(Job.instance_id).where(Job.state.in_(("succeeded", "failed")),
                                          Job.updated_at < now - timedelta(seconds=grace)).limit(BATCH)))
    for instance_id in instance_ids:
        job_service.resume_instance(instance_id)
    return len(instance_ids)


@dataclass(frozen=True)
class Periodic:
    """One thing the scheduler does: ``run(now)`` every ``every`` seconds (0: every tick).

    ``run`` returns a count (or a list, counted) for the tick's summary.
    """

    name: str
    run: Callable[[datetime], object]
    every: float = 0.0


#: Everything a tick may do, in order.
PERIODIC: list[Periodic] = [  # looked up when run, so a replaced function is the one called
    Periodic("dispatched", lambda now: dispatch_due_jobs(now)),
    Periodic("reclaimed", lambda now: reclaim_expired_leases(now)),
    Periodic("requeued", lambda now: requeue_lost(now)),
    Periodic("resumed", lambda now: apply_stranded_results(now)),
    Periodic("timers", lambda now: timer_service.fire_due_timers(now)),
    Periodic("started", lambda now: timer_service.fire_start_timers(now)),
    Periodic("stuck", lambda now: incident_service.raise_stuck_incidents(now), every=30.0),
]


def _count(value: object) -> int:
    if isinstance(value, (list, tuple, set, dict)):
        return len(value)
    return int(value or 0)


class Scheduler:
    """Runs the :data:`PERIODIC` tasks that are due; remembers when each last ran."""

    def __init__(self, tasks: list[Periodic] | None = None, clock: Callable[[], float] = time.monotonic):
        self.tasks = list(PERIODIC if tasks is None else tasks)
        self._clock = clock
        self._last: dict[str, float] = {}

    def tick(self, now: datetime | None = None) -> dict:
        """Run every task whose interval has passed; a failing task does not stop the others."""
        out: dict[str, int] = {}
        for task in self.tasks:
            moment = self._clock()
            last = self._last.get(task.name)
            if task.every and last is not None and moment - last < task.every:
                continue
            self._last[task.name] = moment
            try:
                out[task.name] = _count(task.run(now))
            except Exception:
                log.exception("scheduler task %s failed", task.name)
        return out


def tick(now: datetime | None = None) -> dict:
    """One sweep running every periodic task once (tests and one-off runs)."""
    out = {}
    for task in PERIODIC:
        out[task.name] = _count(task.run(now))
    return out
