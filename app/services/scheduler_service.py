"""The periodic sweep: due retries, lost jobs, expired leases, unapplied results, timers.

PostgreSQL is the truth and a queued job only a prompt. Whatever Redis loses (a FLUSHALL, a
worker killed mid-job) the sweep finds in the job table and hands to the runner again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.audit import periodic as audit_periodic
from app.db import db, utcnow
from app.models import Job
from app.services import context, job_service, timer_service

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


def tick(now: datetime | None = None) -> dict:
    """One sweep; the scheduler process calls this every second or so."""
    out = {
        "dispatched": len(dispatch_due_jobs(now)),
        "reclaimed": len(reclaim_expired_leases(now)),
        "requeued": len(requeue_lost(now)),
        "resumed": apply_stranded_results(now),
        "timers": timer_service.fire_due_timers(now),
        "started": len(timer_service.fire_start_timers(now)),
    }
    audit_periodic.run_if_due(now)  # the audit trail's hourly check
    return out
