"""The scheduler verifies and checkpoints the trail once an hour and opens an incident on a break."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from app.audit import periodic
from app.db import db, utcnow
from app.models import AuditCheckpoint, AuditVerification, Incident
from app.services import audit_service, incident_service, scheduler_service
from tests.conftest import IDENTITIES


def _write(subject_id: str, n: int = 2) -> None:
    for i in range(n):
        with db.transaction() as session:
            audit_service.record(session, "alice", "task.completed", "process_instance", subject_id, {"i": i})


def _count(model) -> int:
    with db.session() as session:
        return len(session.scalars(select(model)).all())


def test_the_sweep_verifies_and_checkpoints_once_per_interval(app):
    _write("case-1")
    scheduler_service.tick()
    assert _count(AuditVerification) == 1 and _count(AuditCheckpoint) == 1
    assert periodic.run_if_due() is False  # not due again for an hour
    _write("case-2")
    assert periodic.run_if_due(utcnow() + periodic.INTERVAL + timedelta(minutes=1)) is True
    with db.session() as session:
        runs = session.scalars(select(AuditVerification).order_by(AuditVerification.id)).all()
        assert [(r.trigger, r.scope, r.ok) for r in runs] == [("schedule", "full", True), ("schedule", "since", True)]
        assert session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).subjects == 2
    assert _count(Incident) == 0


def test_a_break_opens_one_incident_that_an_operator_acknowledges(app):
    _write("case-1", 3)
    periodic.run_if_due()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET details = '{\"i\": 99}' WHERE seq = 2"))
    later = utcnow() + periodic.INTERVAL + timedelta(minutes=1)
    assert periodic.run_if_due(later) is True
    with db.session() as session:
        incident = session.scalar(select(Incident))
        assert incident.kind == "audit_break" and incident.instance_id is None and incident.status == "open"
        assert "process_instance/case-1" in incident.message and "第 2 个" in incident.message
        checkpoints = session.scalars(select(AuditCheckpoint)).all()
    assert len(checkpoints) == 1  # a broken trail is not sealed
    assert periodic.run_if_due(later + periodic.INTERVAL * 2) is True
    assert _count(Incident) == 1  # the same finding does not raise a second alarm
    brief = incident_service.retry(IDENTITIES["operator"], incident.id)
    assert brief["status"] == "resolved" and brief["resolved_by"] == "operator"
    assert [i["id"] for i in incident_service.list_incidents("open")] == []
