"""Use cases of the audit trail: verify it, checkpoint it, and what the admin page shows."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import checkpoint as checkpoints
from app.audit.checkpoint import Checkpoint
from app.audit.keys import current_key
from app.audit.verify import MAX_LISTED, Report, verify, verify_subject
from app.db import db, utcnow
from app.models import AuditCheckpoint, AuditVerification

log = logging.getLogger(__name__)


@contextmanager
def snapshot() -> Iterator[Session]:
    """A read session that sees one consistent state of the database (PostgreSQL)."""
    with db.session() as session:
        if not db.is_sqlite:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


def run_verification(since: datetime | None = None, trigger: str = "cli",
                     checkpoint: Checkpoint | None = None) -> tuple[Report, int]:
    """Verify the trail, store the outcome; returns the report and the stored row's id."""
    started = utcnow()
    with snapshot() as session:
        report = verify(session, since=since, checkpoint=checkpoint)
    if report.breaks and db.is_sqlite:  # no snapshot there: a writer may have committed mid-walk
        report.breaks = _still_broken(report)
    with db.transaction() as session:
        row = AuditVerification(
            started_at=started, finished_at=utcnow(), scope=report.scope, trigger=trigger, ok=report.ok,
            subjects=report.subjects, events=report.events,
            checkpoint_id=report.checkpoint.id if report.checkpoint else None,
            breaks=[b.as_json() for b in report.breaks[:MAX_LISTED]], summary=report.summary(),
        )
        session.add(row)
        session.flush()
        row_id = row.id
    (log.info if report.ok else log.error)("audit verification: %s", report.summary())
    return report, row_id


def _still_broken(report: Report) -> list:
    subjects = {(b.subject_type, b.subject_id) for b in report.breaks if b.problem != "checkpoint_invalid"}
    with db.session() as session:
        again = {s: verify_subject(session, *s, checkpoint=report.checkpoint) for s in subjects}
    return [b for b in report.breaks
            if b.problem == "checkpoint_invalid" or again.get((b.subject_type, b.subject_id))]


def take_checkpoint() -> tuple[Checkpoint, bool]:
    """Sign the current chain heads (nothing new is written when no chain changed)."""
    with db.transaction() as session:
        cp, created = checkpoints.take(session, current_key())
    if created:
        log.info("audit checkpoint #%s: %d subjects, %d events, root %s", cp.id, cp.subjects, cp.events, cp.root)
    return cp, created


def status() -> dict:
    """The last verifications and the last checkpoint, for the admin page."""
    with db.session() as session:
        runs = session.scalars(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(10)).all()
        cp = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
        last_ok = session.scalar(select(AuditVerification.finished_at).where(AuditVerification.ok.is_(True))
                                 .order_by(AuditVerification.id.desc()).limit(1))
    return {
        "runs": [_run(r) for r in runs],
        "last": _run(runs[0]) if runs else None,
        "last_ok_at": last_ok,
        "checkpoint": None if cp is None else {
            "id": cp.id, "created_at": cp.created_at, "subjects": cp.subjects, "events": cp.events,
            "root": cp.root, "key_id": cp.key_id, "signature": cp.signature,
        },
        "key_id": current_key().key_id,
    }


def _run(r: AuditVerification) -> dict:
    return {"id": r.id, "started_at": r.started_at, "finished_at": r.finished_at, "scope": r.scope,
            "trigger": r.trigger, "ok": r.ok, "subjects": r.subjects, "events": r.events,
            "checkpoint_id": r.checkpoint_id, "breaks": r.breaks, "summary": r.summary}
