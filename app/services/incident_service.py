"""Incidents: listing them, retrying the failed work, and the stuck-case watchdog.

A running instance must always wait on something: a ready human task, a job, a timer, a
message subscription, or an open incident an operator sees. :func:`raise_stuck_incidents`
(a periodic scheduler task) finds the ones that wait on nothing and opens one ``stuck``
incident on each; retrying it re-runs the engine steps (:func:`app.engine.repair.repair`)
and re-creates the inbox rows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import exists, select

from app.auth.identity import Identity
from app.db import db, utcnow
from app.engine import serializer
from app.engine.repair import repair, stopped_at
from app.engine.runtime import Run, Snapshot
from app.models import HumanTask, Incident, Job, MessageSubscription, ProcessInstance
from app.services import audit_service
from app.services.errors import IncidentNotFound, IncidentNotOpen
from app.services.instance_service import incident_brief
from app.services.step import OPEN_JOB_STATES, Step, instance_lock, load_bundle, new_engine, with_instance

log = logging.getLogger(__name__)
#: An instance is judged only when no step has touched it for this long.
STUCK_GRACE_SECONDS = 60
BATCH = 200
STUCK = "stuck"


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
        if row is None:
            raise IncidentNotFound(f"incident {incident_id} not found")
        if row.status != "open":
            raise IncidentNotOpen(f"incident {incident_id} is {row.status}")
        row.status, row.resolved_at, row.resolved_by = "resolved", utcnow(), identity.username
        if row.kind == STUCK:
            _repair(step, row)
        elif row.job_id:
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


def _repair(step: Step, incident: Incident) -> None:
    """Re-run the engine steps of a stuck instance and rebuild its projections."""
    jobs = step.session.scalars(select(Job).where(Job.instance_id == step.instance.id)
                                .order_by(Job.created_at)).all()
    subscribed = set(step.session.scalars(select(MessageSubscription.message_name).where(
        MessageSubscription.instance_id == step.instance.id)))
    # a service task waiting with a finished job row gets that row queued again (the row's
    # idempotency key is the task's); one with no row at all gets a new job
    latest = {job.task_id: job for job in jobs}
    done = repair(step.run, set(latest))
    now = utcnow()
    for task_id in step.run.started_service_task_ids():
        job = latest.get(task_id)
        if job is not None and job.state not in OPEN_JOB_STATES:
            job.state, job.attempts, job.run_after, job.lease_until = "queued", 0, now, None
            job.error_code, job.last_error, job.updated_at = None, None, now
            step.new_job_ids.append(job.id)
            done.requested.append(task_id)
    # persist writes what differs from ``before``: pretend no inbox row existed, so every
    # ready human task gets its row (an existing one is set ready again)
    step.before = Snapshot(started_service=step.before.started_service, waiting_messages=subscribed)
    step.audit("instance.repaired", {"incident_id": incident.id, "merged_instances": len(done.merged),
                                     "jobs_requested": len(done.requested)})


def _waits_on_nothing():
    """SQL conditions: a running instance with nothing that could move it on."""
    pi = ProcessInstance
    return [
        pi.status == "running",
        pi.next_timer_due_at.is_(None),
        ~exists().where(HumanTask.instance_id == pi.id, HumanTask.status == "ready"),
        ~exists().where(Job.instance_id == pi.id, Job.state.in_(OPEN_JOB_STATES)),
        ~exists().where(MessageSubscription.instance_id == pi.id),
        ~exists().where(Incident.instance_id == pi.id, Incident.status == "open"),
    ]


def find_stuck(now: datetime | None = None, grace: float | None = None) -> list[str]:
    """Ids of running instances that wait on nothing and have not moved for ``grace`` seconds."""
    now = now or utcnow()
    grace = STUCK_GRACE_SECONDS if grace is None else grace
    with db.session() as session:
        return list(session.scalars(
            select(ProcessInstance.id)
            .where(*_waits_on_nothing(), ProcessInstance.updated_at < now - timedelta(seconds=grace))
            .order_by(ProcessInstance.updated_at).limit(BATCH)))


def raise_stuck_incidents(now: datetime | None = None, grace: float | None = None) -> list[int]:
    """Open one ``stuck`` incident on every instance :func:`find_stuck` returns; their ids.

    Each instance is checked again under its row lock, so two sweeps (or two schedulers) open
    one incident, not two; an open incident is itself something the instance waits on.
    """
    opened = []
    for instance_id in find_stuck(now, grace):
        try:
            incident_id = _raise_stuck(instance_id)
        except Exception:  # one unreadable instance must not stop the sweep
            log.exception("checking instance %s for a stall failed", instance_id)
            continue
        if incident_id is not None:
            opened.append(incident_id)
    if opened:
        log.warning("opened %d incident(s) on instances that wait on nothing", len(opened))
    return opened


def _raise_stuck(instance_id: str) -> int | None:
    with instance_lock(instance_id):
        with db.transaction() as session:
            instance = session.scalar(select(ProcessInstance).where(
                ProcessInstance.id == instance_id, *_waits_on_nothing()).with_for_update())
            if instance is None:
                return None  # something moved it meanwhile, or an incident is open already
            try:
                bundle = load_bundle(session, instance.process_key, instance.bundle)
                run = Run.resume(serializer.loads(instance.state, bundle.spec, bundle.subprocess_specs),
                                 bundle, new_engine())
                where, problem = stopped_at(run), ""
            except Exception as exc:
                where, problem = None, f" (its state cannot be loaded: {type(exc).__name__}: {exc})"
            at = f"; stopped at {where.name} ({where.state})" if where and where.bpmn_id else ""
            incident = Incident(
                instance_id=instance.id, process_key=instance.process_key,
                task_id=where.task_id if where else "", bpmn_id=where.bpmn_id if where else "",
                task_name=where.name if where else "", kind=STUCK, error_code="InstanceStuck",
                message=("the instance waits on nothing: no ready human task, job, timer or message "
                         f"subscription{at}{problem}. Retry re-runs its engine steps and re-creates "
                         "its inbox rows."),
                created_at=utcnow())
            session.add(incident)
            session.flush()
            audit_service.record(session, "scheduler", "incident.opened", "process_instance", instance.id,
                                 {"incident_id": incident.id, "kind": STUCK,
                                  "bpmn_id": incident.bpmn_id}, instance_id=instance.id)
            return incident.id


def _acknowledge(identity: Identity, incident_id: int) -> dict:
    with db.transaction() as session:
        row = session.get(Incident, incident_id, with_for_update=not db.is_sqlite)
        if row is None:
            raise IncidentNotFound(f"incident {incident_id} does not exist")
        if row.status != "open":
            raise IncidentNotOpen(f"incident {incident_id} is {row.status}")
        row.status, row.resolved_at, row.resolved_by = "resolved", utcnow(), identity.username
        return incident_brief(row)
