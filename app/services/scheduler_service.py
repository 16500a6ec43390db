"""The periodic sweep: due retries, lost jobs, expired leases, unapplied results, timers,
stuck instances.

PostgreSQL is the truth and a queued job only a prompt. Whatever Redis loses (a FLUSHALL, a
worker killed mid-job) the sweep finds in the job table and hands to the runner again.

The sweep is a list of :class:`Periodic` tasks (:data:`PERIODIC`), each with its own interval;
a :class:`Scheduler` runs the ones that are due. Add a periodic check by appending to the list.

Several ``housing scheduler`` processes may run for availability: only the holder of a
PostgreSQL advisory lock (:class:`Leadership`) sweeps, the others stand by and take over within
a tick when its session ends (its process died, its connection broke). The sweeps are safe on
their own as well — due jobs and expired leases are claimed with ``FOR UPDATE SKIP LOCKED``, a
timer fires under its instance's row lock only while still due, a start timer under its row's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection

from app.audit import periodic as audit_periodic
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
        query = select(Job.id).where(Job.state == "running", Job.lease_until < now).limit(BATCH)
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
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
    run: Callable[[datetime | None], object]
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
    Periodic("audit", lambda now: audit_periodic.run_if_due(now), every=60.0),  # hourly inside; see app.audit
    Periodic("ledger", lambda now: _ledger_sweep(now), every=3600.0),  # rent bills, reminders, arrears exits
]


def _ledger_sweep(now: datetime | None) -> int:
    """Bills added, reminders sent and arrears exits started by one sweep."""
    from app.ledger import sweeps

    return sum(_count(done) for done in sweeps.run(now).values())


def _count(value: object) -> int:
    if isinstance(value, (list, tuple, set, dict)):
        return len(value)
    return int(value) if isinstance(value, int | float) else 0


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


#: ``pg_try_advisory_lock`` key of the scheduler's leadership ("housing" in ASCII).
LEADER_LOCK_KEY = 0x686F7573696E67


class Leadership:
    """Leadership among scheduler processes: a session-level PostgreSQL advisory lock held on a
    connection of its own for as long as the process lives. PostgreSQL releases it when the
    session ends, however the process ends, so a standby takes over at its next try.

    On SQLite (the embedded default: one process) every caller leads.
    """

    def __init__(self, key: int = LEADER_LOCK_KEY):
        self.key = key
        self._conn: Connection | None = None

    @property
    def leading(self) -> bool:
        return self._conn is not None

    def acquire(self) -> bool:
        """True if this process leads (now or still); tries to take the lock if it does not."""
        if db.is_sqlite:
            return True
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # the session is gone, and the lock with it
                log.warning("scheduler lost its leadership connection; trying again")
                self._close()
        conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        log.info("this scheduler now leads the sweeps")
        return True

    def release(self) -> None:
        """Give up leadership (at shutdown)."""
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        except Exception:
            log.warning("could not release the scheduler lock; closing its session releases it")
        self._close()

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.invalidate()  # never back to the pool: a pooled session could still hold the lock
        except Exception:
            pass
        conn.close()


def run_forever(app, interval: float, should_stop: Callable[[float], bool],
                scheduler: Scheduler | None = None, leadership: Leadership | None = None) -> None:
    """Sweep every ``interval`` seconds while leading; stand by otherwise.

    ``should_stop(seconds)`` waits up to that long and says whether to stop (an Event's wait).
    Each tick runs in a fresh application context of ``app``.
    """
    scheduler = scheduler or Scheduler()
    leadership = leadership or Leadership()
    try:
        while True:
            with app.app_context():
                try:
                    if leadership.acquire():
                        scheduler.tick()
                except Exception:
                    log.exception("scheduler tick failed")
            if should_stop(interval):
                return
    finally:
        leadership.release()
