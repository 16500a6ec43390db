"""The scheduled verification and checkpoint, called from the scheduler's sweep.

Every hour one scheduler (a PostgreSQL advisory lock picks it) verifies the chains written to
since the previous run — once a day all of them — against their heads and the last checkpoint.
An intact trail gets a new signed checkpoint; a broken one opens an incident (one per distinct
finding) and is not sealed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.audit import service
from app.audit.verify import Report
from app.db import db, utcnow
from app.models import AuditVerification
from app.services import incident_service

INTERVAL = timedelta(hours=1)
FULL_EVERY = timedelta(days=1)
#: events are stamped when recorded and committed a little later: a partial run looks back this far
OVERLAP = timedelta(minutes=15)
ADVISORY_LOCK = 0x68_61_75_64_69_74  # "haudit"


def run_if_due(now: datetime | None = None) -> bool:
    """Verify and checkpoint when the last scheduled run is older than :data:`INTERVAL`."""
    now = now or utcnow()
    with db.session() as session:
        last = _last_started(session)
    if last is not None and now - last < INTERVAL:
        return False
    if db.is_sqlite:  # one process: nothing else runs it at the same time
        return _run_due(now)
    # a session-level lock on a connection outside any transaction: it holds no table lock, so
    # a migration or TRUNCATE waiting for the audit tables cannot wedge the run
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.scalar(select(func.pg_try_advisory_lock(ADVISORY_LOCK))):
            return False
        try:
            return _run_due(now)
        finally:
            conn.scalar(select(func.pg_advisory_unlock(ADVISORY_LOCK)))


def _run_due(now: datetime) -> bool:
    with db.session() as session:
        last = _last_started(session)
        last_full = _last_started(session, "full")
    if last is not None and now - last < INTERVAL:
        return False
    since = None if last_full is None or now - last_full >= FULL_EVERY or last is None else last - OVERLAP
    run(since)
    return True


def run(since: datetime | None = None) -> Report:
    """One scheduled verification; checkpoint if intact, incident if not."""
    report, _ = service.run_verification(since, trigger="schedule")
    if report.ok:
        service.take_checkpoint()
    else:
        raise_incident(report)
    return report


def raise_incident(report: Report) -> int | None:
    """Open an incident for the breaks (unless the same breaks were reported already)."""
    keys = sorted(f"{b.subject_type}/{b.subject_id}/{b.event_id}/{b.seq}/{b.problem}" for b in report.breaks)
    fingerprint = hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()[:16]
    listed = "\n".join(b.message for b in report.breaks[:20])
    rest = len(report.breaks) - 20
    more = f"\n… 另有 {rest} 处 / and {rest} more" if rest > 0 else ""
    return incident_service.open_system_incident(
        "audit_break", f"AUDIT_BREAK:{fingerprint}", f"{report.summary()}\n{listed}{more}", "audit", "审计校验")


def _last_started(session, scope: str | None = None) -> datetime | None:
    query = select(func.max(AuditVerification.started_at)).where(AuditVerification.trigger == "schedule")
    if scope:
        query = query.where(AuditVerification.scope == scope)
    return session.scalar(query)
