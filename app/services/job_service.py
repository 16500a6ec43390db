"""Running service-task jobs and feeding their results back into the instances.

A job goes queued → running (leased, the lease renewed by the worker's heartbeat while it runs:
:mod:`app.jobs.lease`) → succeeded | pending (retry later) | failed. A batch (the
jobs one step created) is claimed in one statement, its operators run side by side, its results
are stored in one transaction, and each instance is resumed once with every result
(:func:`resume_instance`).
"""

from __future__ import annotations

import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select, update

from app.db import db, utcnow
from app.engine.operators import OperatorContext, OperatorError, UnknownOperatorError, registry
from app.engine.runtime import DELIVER_OPERATOR, DELIVERY_RETRY
from app.engine.sandbox import ScriptError, to_json_value
from app.jobs.lease import LeaseKeeper
from app.models import Incident, Job, ProcessInstance
from app.services import context
from app.services.errors import MessageNotCorrelated
from app.services.step import Step, with_instance

log = logging.getLogger(__name__)
FINISHED = ("applied", "cancelled")


@dataclass
class JobCall:
    """What a worker needs to call the operator, read while the job was claimed."""

    id: str
    instance_id: str
    task_id: str
    bpmn_id: str
    operator: str
    params: dict
    attempt: int
    idempotency_key: str
    business_key: str | None


def claim(job_ids: list[str]) -> list[JobCall]:
    """Lease the runnable jobs among ``job_ids`` (queued or due, not taken by anyone else).

    One conditional UPDATE … RETURNING: of two workers handed the same job, one gets it.
    """
    now = utcnow()
    lease = now + timedelta(seconds=context.settings().job_lease_seconds)
    with db.transaction() as session:
        rows = session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.state.in_(("queued", "pending")), Job.run_after <= now)
            .values(state="running", attempts=Job.attempts + 1, lease_until=lease, updated_at=now)
            .returning(Job.id, Job.instance_id, Job.task_id, Job.bpmn_id, Job.operator, Job.params, Job.attempts,
                       Job.idempotency_key)
        ).all()
        keys = dict(session.execute(select(ProcessInstance.id, ProcessInstance.business_key).where(
            ProcessInstance.id.in_({r.instance_id for r in rows}))).all()) if rows else {}
    order = {job_id: n for n, job_id in enumerate(job_ids)}
    return sorted((JobCall(r.id, r.instance_id, r.task_id, r.bpmn_id, r.operator, dict(r.params), r.attempts,
                           r.idempotency_key, keys.get(r.instance_id)) for r in rows), key=lambda c: order[c.id])


def execute(job_id: str) -> str:
    """Run one job (see :func:`execute_batch`)."""
    return execute_batch([job_id]).get(job_id, "skipped")


def execute_batch(job_ids: list[str], threads: int = 8) -> dict[str, str]:
    """Run jobs side by side (operators mostly wait on the network), store their outcomes, then
    resume each instance once with all its results: a fan-out of data-source calls costs one
    claim, one store and one resume, not one of each per call.
    """
    calls = claim(list(job_ids))
    app = current_app._get_current_object()
    settings = context.settings()

    def one(call: JobCall):
        with app.app_context():
            return _call(call)

    # the heartbeat keeps the leases while the operators run and until their outcomes are stored
    with LeaseKeeper(app, [(c.id, c.attempt) for c in calls], settings.job_lease_seconds,
                     settings.job_heartbeat_seconds):
        if len(calls) > 1 and threads > 1:
            with ThreadPoolExecutor(min(threads, len(calls)), thread_name_prefix="job") as pool:
                answers = list(pool.map(one, calls))
        else:
            answers = [_call(call) for call in calls]
        outcomes = _store_results([(c, a) for c, a in zip(calls, answers, strict=True)
                                   if not isinstance(a, OperatorError)])
        for call, answer in zip(calls, answers, strict=True):
            if isinstance(answer, OperatorError):
                outcomes[call.id] = _fail(call, answer)
    for instance_id in dict.fromkeys(c.instance_id for c in calls if outcomes[c.id] in ("succeeded", "failed")):
        resume_when_idle(instance_id)
    return {job_id: outcomes.get(job_id, "skipped") for job_id in job_ids}


def _call(call: JobCall) -> dict | OperatorError:
    """The operator's JSON result, or the error it failed with (never raises)."""
    if call.operator == DELIVER_OPERATOR:
        return _deliver(call)
    try:
        op = registry.get(call.operator)
        params = op.load_params(call.params)
        ctx = OperatorContext(
            idempotency_key=call.idempotency_key, instance_id=call.instance_id,
            business_key=call.business_key, task_id=call.task_id, task_bpmn_id=call.bpmn_id,
            attempt=call.attempt, settings=context.settings(),
        )
        return to_json_value(op.func(params, ctx), "result")
    except UnknownOperatorError as exc:
        return OperatorError("UnknownOperator", str(exc), retryable=False)
    except OperatorError as exc:
        return exc
    except ScriptError as exc:
        return OperatorError("InvalidResult", str(exc), retryable=False)
    except Exception as exc:  # an operator bug must not lose the job
        log.exception("operator %s crashed on job %s", call.operator, call.id)
        return OperatorError("OperatorCrashed", f"{type(exc).__name__}: {exc}")


def _deliver(call: JobCall) -> dict | OperatorError:
    """A thrown message or signal, delivered to the other instances and processes (never raises)."""
    from app.services import message_service  # it starts instances: imported late, as a job runs

    try:
        return to_json_value(message_service.deliver_thrown(call.params, call.instance_id), "result")
    except MessageNotCorrelated as exc:  # the receiver may not have reached its catch event yet
        return OperatorError("MessageNotCorrelated", exc.detail)
    except Exception as exc:  # a failing delivery must not lose the job
        log.exception("delivering %s from job %s failed", call.params.get("name"), call.id)
        return OperatorError("DeliveryFailed", f"{type(exc).__name__}: {exc}")


def _store_results(successes: list[tuple[JobCall, dict]]) -> dict[str, str]:
    """Store every result in one transaction; a job applied or cancelled meanwhile is stale."""
    if not successes:
        return {}
    now = utcnow()
    with db.transaction() as session:
        stale = set(session.scalars(select(Job.id).where(
            Job.id.in_([c.id for c, _ in successes]), Job.state.in_(FINISHED))))
        # in a fixed (id) order, so that two transactions updating the same jobs lock them alike
        rows = [{"jid": c.id, "res": result}
                for c, result in sorted(successes, key=lambda pair: pair[0].id) if c.id not in stale]
        if rows:
            session.connection().execute(
                update(Job.__table__).where(Job.__table__.c.id == bindparam("jid"))
                .values(state="succeeded", result=bindparam("res"), error_code=None, last_error=None,
                        lease_until=None, updated_at=now), rows)
            from app.messages import service as messages

            messages.record_job_results(session, [(c, r) for c, r in successes if c.id not in stale])
    return {c.id: ("stale" if c.id in stale else "succeeded") for c, _ in successes}


def _fail(call: JobCall, error: OperatorError) -> str:
    now = utcnow()
    with db.transaction() as session:
        job = session.get(Job, call.id)
        if job is None or job.state in FINISHED:
            return "stale"
        job.error_code, job.last_error, job.lease_until, job.updated_at = error.code, error.message[:4000], None, now
        try:
            policy = DELIVERY_RETRY if call.operator == DELIVER_OPERATOR else registry.get(call.operator).retry
        except UnknownOperatorError:
            policy = None
        if error.retryable and policy is not None and job.attempts < job.max_attempts:
            delay = policy.delay(job.attempts) * (1 + random.uniform(0, 0.2))
            job.state, job.run_after = "pending", now + timedelta(seconds=delay)
            outcome = "retrying"
        else:
            job.state = "failed"
            outcome = "failed"
    log.info("job %s (%s) attempt %s: %s %s", call.id, call.operator, call.attempt, error.code, outcome)
    return outcome


def resume_when_idle(instance_id: str) -> None:
    """Resume now, unless other jobs of the instance are running or queued: the last of them
    to finish resumes and applies every result at once.

    Each caller checks after committing its own outcomes, so of two jobs finishing together
    the later one always sees the earlier as finished; the scheduler's sweep is the safety net.
    """
    with db.session() as session:
        busy = session.scalar(select(func.count()).where(
            Job.instance_id == instance_id, Job.state.in_(("queued", "running"))))
    if not busy:
        resume_instance(instance_id)


def resume_instance(instance_id: str) -> int:
    """Apply every finished job of the instance in one step; returns how many were applied."""

    def action(step: Step) -> int:
        jobs = step.session.scalars(
            select(Job).where(Job.instance_id == instance_id, Job.state.in_(("succeeded", "failed")))
            .order_by(Job.updated_at)
        ).all()
        started = step.before.started_service
        applied = [entry for job in jobs if (entry := _apply(step, job, started))]
        if applied:  # one audit event for the results a resume applies together
            step.audit("jobs.applied", {"jobs": applied})
        return len(jobs)

    return with_instance(instance_id, action, "system")


def _apply(step: Step, job: Job, started: set[str]) -> dict | None:
    """Apply one finished job; what the audit trail records of it (None if nothing applied)."""
    now = utcnow()
    step.settled_tasks.add(job.task_id)
    entry = {"job_id": job.id, "operator": job.operator, "bpmn_id": job.bpmn_id}
    if job.operator == DELIVER_OPERATOR:  # nothing waits for it in the thrower
        return _settle_delivery(step, job, entry)
    if job.task_id not in started or not step.run.awaits_job(job.task_id):
        job.state, job.updated_at = "cancelled", now  # the task went away (a timer or error took it)
        return None
    if job.state == "succeeded":
        step.run.apply_job_result(job.task_id, job.result_variable, job.result)
        job.state, job.updated_at = "applied", now
        return entry
    message = job.last_error or job.error_code or "operator failed"
    if step.run.throw_error(job.task_id, job.error_code or "OperatorFailed", message):
        job.state, job.updated_at = "applied", now
        return entry | {"error_code": job.error_code, "caught_by_boundary_event": True}
    _incident(step, job, message)
    return None


def _incident(step: Step, job: Job, message: str) -> None:
    """The failed job becomes an incident (its retry queues the job again)."""
    now = utcnow()
    job.state, job.updated_at = "incident", now
    step.session.add(Incident(
        instance_id=job.instance_id, process_key=step.instance.process_key, task_id=job.task_id,
        bpmn_id=job.bpmn_id, task_name=job.task_name, job_id=job.id, kind="job_failed",
        error_code=job.error_code, message=message, created_at=now,
    ))
    step.audit("incident.opened", {"job_id": job.id, "operator": job.operator, "error_code": job.error_code})


def _settle_delivery(step: Step, job: Job, entry: dict) -> dict | None:
    """A delivered message or signal is applied; an undeliverable one becomes an incident (its
    retry queues the delivery again)."""
    if job.state == "succeeded":
        job.state, job.updated_at = "applied", utcnow()
        return entry | {"delivered": job.params.get("name"), "to": job.result}
    _incident(step, job, job.last_error or job.error_code or "delivery failed")
    return None
