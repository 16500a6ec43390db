"""Incidents: listing them and retrying the failed work."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db, utcnow
from app.models import Incident, Job
from app.services.errors import IncidentNotFound, IncidentNotOpen
from app.services.instance_service import incident_brief
from app.services.step import Step, with_instance


def list_incidents(status: str | None = "open", instance_id: str | None = None, limit: int = 100) -> list[dict]:
    """Incidents, newest first."""
    query = select(Incident).order_by(Incident.id.desc()).limit(max(1, min(limit, 500)))
    if status:
        query = query.where(Incident.status == status)
    if instance_id:
        query = query.where(Incident.instance_id == instance_id)
    with db.session() as session:
        return [incident_brief(i) for i in session.scalars(query)]


def open_system_incident(kind: str, error_code: str, message: str, source: str, title: str) -> int | None:
    """Open an incident that belongs to no case (an audit break, …); returns its id.

    Nothing is opened when an incident with the same ``error_code`` exists already, open or
    acknowledged: the same finding raises one alarm, a new one raises another.
    """
    with db.transaction() as session:
        if session.scalar(select(Incident.id).where(Incident.kind == kind, Incident.error_code == error_code)
                          .limit(1)) is not None:
            return None
        row = Incident(instance_id=None, process_key=source, task_id="", bpmn_id="", task_name=title,
                       kind=kind, error_code=error_code, message=message[:4000], created_at=utcnow())
        session.add(row)
        session.flush()
        return row.id


def retry(identity: Identity, incident_id: int) -> dict:
    """Retry what failed: the job (with fresh attempts) or the task's script.

    An incident of no case (an audit break) has nothing to retry: it is acknowledged.
    """
    with db.session() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise IncidentNotFound(f"incident {incident_id} does not exist")
        instance_id = incident.instance_id
    if instance_id is None:
        return _acknowledge(identity, incident_id)

    def action(step: Step) -> dict:
        row = step.session.get(Incident, incident_id, with_for_update=not db.is_sqlite)
        if row.status != "open":
            raise IncidentNotOpen(f"incident {incident_id} is {row.status}")
        row.status, row.resolved_at, row.resolved_by = "resolved", utcnow(), identity.username
        if row.job_id:
            job = step.session.get(Job, row.job_id)
            job.state, job.attempts, job.run_after = "queued", 0, utcnow()
            job.error_code, job.last_error, job.updated_at = None, None, utcnow()
            step.new_job_ids.append(job.id)
        else:
            step.run.retry_task(row.task_id)
        step.audit("incident.retried", {"incident_id": incident_id, "bpmn_id": row.bpmn_id})
        return incident_brief(row)

    result = with_instance(instance_id, action, identity.username)
    return result


def _acknowledge(identity: Identity, incident_id: int) -> dict:
    with db.transaction() as session:
        row = session.get(Incident, incident_id, with_for_update=not db.is_sqlite)
        if row.status != "open":
            raise IncidentNotOpen(f"incident {incident_id} is {row.status}")
        row.status, row.resolved_at, row.resolved_by = "resolved", utcnow(), identity.username
        return incident_brief(row)
