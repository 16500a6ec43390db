"""Running service-task jobs and feeding their results back into the instances.

A job goes queued → running (leased) → succeeded | pending (retry later) | failed. Results and
failures are applied by :func:`resume_instance`, which takes every finished job of an instance
in one step: results that arrive together are applied in one resume.
"""

from __future__ import annotations

import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app.db import db, utcnow
from app.engine.operators import OperatorContext, OperatorError, UnknownOperatorError, registry
from app.engine.sandbox import ScriptError, to_json_value
from app.models import Incident, Job, ProcessInstance
from app.services import context
from app.services.step import Step, with_instance

log = logging.getLogger(__name__)


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


def claim(job_id: str) -> JobCall | None:
    """Lease a queued job for this worker; None if it is not runnable (done, taken, not due).

    One conditional UPDATE … RETURNING: of two workers handed the same job, one gets it.
    """
    now = utcnow()
    lease = now + timedelta(seconds=context.settings().job_lease_seconds)
    with db.transaction() as session:
        row = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state.in_(("queued", "pending")), Job.run_after <= now)
            .values(state="running", attempts=Job.attempts + 1, lease_until=lease, updated_at=now)
            .returning(Job.instance_id, Job.task_id, Job.bpmn_id, Job.operator, Job.params, Job.attempts,
                       Job.idempotency_key)
        ).one_or_none()
        if row is None:
            return None
        business_key = session.scalar(
            select(ProcessInstance.business_key).where(ProcessInstance.id == row.instance_id))
    return JobCall(job_id, row.instance_id, row.task_id, row.bpmn_id, row.operator, dict(row.params),
                   row.attempts, row.idempotency_key, business_key)


def execute(job_id: str) -> str:
    """Run one job and resume its instance, unless sibling jobs are still running."""
    outcome, instance_id = _run_one(job_id)
    if outcome in ("succeeded", "failed"):
        resume_when_idle(instance_id)
    return outcome


def execute_batch(job_ids: list[str], threads: int = 8) -> dict[str, str]:
    """Run jobs side by side (operators mostly wait on the network), then resume each instance
    once with all its results: a fan-out of data-source calls costs one resume, not one per call.
    """
    app = current_app._get_current_object()

    def one(job_id: str) -> tuple[str, str | None]:
        with app.app_context():
            return _run_one(job_id)

    if len(job_ids) > 1 and threads > 1:
        with ThreadPoolExecutor(min(threads, len(job_ids)), thread_name_prefix="job") as pool:
            results = list(pool.map(one, job_ids))
    else:
        results = [_run_one(job_id) for job_id in job_ids]
    for instance_id in dict.fromkeys(i for outcome, i in results if outcome in ("succeeded", "failed")):
        resume_when_idle(instance_id)
    return {job_id: outcome for job_id, (outcome, _i) in zip(job_ids, results, strict=True)}


def _run_one(job_id: str) -> tuple[str, str | None]:
    """Claim a job, call its operator and store the outcome (no resume)."""
    call = claim(job_id)
    if call is None:
        return "skipped", None
    try:
        op = registry.get(call.operator)
        params = op.load_params(call.params)
        ctx = OperatorContext(
            idempotency_key=call.idempotency_key, instance_id=call.instance_id,
            business_key=call.business_key, task_id=call.task_id, task_bpmn_id=call.bpmn_id,
            attempt=call.attempt, settings=context.settings(),
        )
        result = to_json_value(op.func(params, ctx), "result")
    except UnknownOperatorError as exc:
        return _fail(call, OperatorError("UnknownOperator", str(exc), retryable=False)), call.instance_id
    except OperatorError as exc:
        return _fail(call, exc), call.instance_id
    except ScriptError as exc:
        return _fail(call, OperatorError("InvalidResult", str(exc), retryable=False)), call.instance_id
    except Exception as exc:  # an operator bug must not lose the job
        log.exception("operator %s crashed on job %s", call.operator, call.id)
        return _fail(call, OperatorError("OperatorCrashed", f"{type(exc).__name__}: {exc}")), call.instance_id
    with db.transaction() as session:
        stored = session.execute(
            update(Job).where(Job.id == call.id, Job.state.not_in(("applied", "cancelled")))
            .values(state="succeeded", result=result, error_code=None, last_error=None, lease_until=None,
                    updated_at=utcnow())
        ).rowcount
    return ("succeeded" if stored else "stale"), call.instance_id


def _fail(call: JobCall, error: OperatorError) -> str:
    now = utcnow()
    with db.transaction() as session:
        job = session.get(Job, call.id)
        if job is None or job.state in ("applied", "cancelled"):
            return "stale"
        job.error_code, job.last_error, job.lease_until, job.updated_at = error.code, error.message[:4000], None, now
        try:
            policy = registry.get(call.operator).retry
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
        for job in jobs:
            _apply(step, job)
        return len(jobs)

    return with_instance(instance_id, action, "system")


def _apply(step: Step, job: Job) -> None:
    now = utcnow()
    started = step.run.started_service_task_ids()
    if job.task_id not in started:
        job.state, job.updated_at = "cancelled", now
        return
    if job.state == "succeeded":
        step.run.apply_job_result(job.task_id, job.result_variable, job.result)
        job.state, job.updated_at = "applied", now
        step.audit("job.applied", {"job_id": job.id, "operator": job.operator, "bpmn_id": job.bpmn_id})
        return
    message = job.last_error or job.error_code or "operator failed"
    if step.run.throw_error(job.task_id, job.error_code or "OperatorFailed", message):
        job.state, job.updated_at = "applied", now
        step.audit("job.error_caught", {"job_id": job.id, "operator": job.operator,
                                        "error_code": job.error_code, "bpmn_id": job.bpmn_id})
        return
    job.state, job.updated_at = "incident", now
    step.session.add(Incident(
        instance_id=job.instance_id, process_key=step.instance.process_key, task_id=job.task_id,
        bpmn_id=job.bpmn_id, task_name=job.task_name, job_id=job.id, kind="job_failed",
        error_code=job.error_code, message=message, created_at=now,
    ))
    step.audit("incident.opened", {"job_id": job.id, "operator": job.operator, "error_code": job.error_code})
