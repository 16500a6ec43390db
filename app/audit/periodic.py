"""The scheduled verification and checkpoint, called from the scheduler's sweep.

Every hour one scheduler (a PostgreSQL advisory lock picks it) verifies the chains written to
since the previous run — once a day all of them — against their heads and the last checkpoint.
An intact trail gets a new signed checkpoint; a broken one opens an incident (one per distinct
finding) and is not sealed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import datetime, timedelta

from flask import current_app
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
#: app.extensions key of the thread running a scheduled verification in this process
THREAD = "housing.audit_verification"
log = logging.getLogger(__name__)


def start_if_due(now: datetime | None = None) -> bool:
    """From the scheduler's sweep: when due, verify in a thread, so timers and jobs do not wait
    for a long walk. Returns True if a run was started."""
    app = current_app._get_current_object()
    running = app.extensions.get(THREAD)
    if running is not None and running.is_alive():
        return False
    now = now or utcnow()
    with db.session() as session:
        last = _last_started(session)
    if last is not None and now - last < INTERVAL:
        return False

    def work() -> None:
        with app.app_context():
            try:
                run_if_due(now)
            except Exception:
                log.exception("scheduled audit verification failed")

    thread = threading.Thread(target=work, name="audit-verification", daemon=True)
    app.extensions[THREAD] = thread
    thread.start()
    return True


def run_if_due(now: datetime | None = None) -> bool:
    """Verify and checkpoint when the last scheduled run is older than :data:`INTERVAL`."""
    now = now or utcnow()
    with db.session() as session:
        last = _last_started(session)
    if last is not None and now - last < INTERVAL:
        return False
    with db.transaction() as session:  # held while the run goes on: one scheduler runs it
        if not db.is_sqlite and not session.scalar(select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK))):
            return False
        last = _last_started(session)
        if last is not None and now - last < INTERVAL:
            return False
        last_full = _last_started(session, "full")
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
