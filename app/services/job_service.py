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
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple, cast

from flask import current_app
from sqlalchemy import Table, bindparam, func, or_, select, update

from app.db import db, utcnow
from app.engine.operators import OperatorContext, OperatorError, UnknownOperatorError, registry
from app.engine.runtime import DELIVER_OPERATOR, DELIVERY_RETRY
from app.engine.sandbox import ScriptError, to_json_value
from app.engine.script_engine import JobRequest
from app.jobs import inline
from app.jobs.lease import LeaseKeeper
from app.models import Incident, Job, ProcessInstance
from app.services import context
from app.services.errors import MessageNotCorrelated
from app.services.step import Step, with_instance, with_instance_if

log = logging.getLogger(__name__)
FINISHED = ("applied", "cancelled")
#: operators of one batch run side by side on this many threads of the process's pool
POOL_THREADS = 8
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_on_pool = threading.local()


def _shared_pool() -> ThreadPoolExecutor:
    """The process's one thread pool for operator calls (created on first use, kept warm)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(POOL_THREADS, thread_name_prefix="job")
        return _pool


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


#: what applying a finished job reads of it (plain rows: the step writes their new states at once)
_APPLY_COLUMNS = (Job.id, Job.instance_id, Job.task_id, Job.bpmn_id, Job.task_name, Job.operator, Job.params,
                  Job.result_variable, Job.result, Job.state, Job.error_code, Job.last_error)


class _Finished(NamedTuple):
    """A finished job as :func:`_apply` reads it (a row of :data:`_APPLY_COLUMNS`)."""

    id: str
    instance_id: str
    task_id: str
    bpmn_id: str
    task_name: str
    operator: str
    params: dict
    result_variable: str
    result: dict | None
    state: str
    error_code: str | None
    last_error: str | None


#: the job table, for the statements a worker runs on every batch; each is built once, with
#: bound parameters (building and keying a statement per call was a tenth of a worker's CPU)
JOBS = cast(Table, Job.__table__)
#: a batch's claim. The ids select the rows through the primary key and the state only filters
#: them: it is said as ``coalesce(state, '')`` so that PostgreSQL cannot intersect the ids with
#: ``ix_job_state_run_after``, whose ``queued`` entries include the old row version of every job
#: claimed since the last VACUUM — thousands, where the statistics count a few
_CLAIM = (update(JOBS)
          .where(JOBS.c.id.in_(bindparam("ids", expanding=True)),
                 func.coalesce(JOBS.c.state, "").in_(("queued", "pending")), JOBS.c.run_after <= bindparam("now"))
          .values(state="running", attempts=JOBS.c.attempts + 1, lease_until=bindparam("lease"),
                  updated_at=bindparam("now")))
_CLAIMED = (JOBS.c.id, JOBS.c.instance_id, JOBS.c.task_id, JOBS.c.bpmn_id, JOBS.c.operator, JOBS.c.params,
            JOBS.c.attempts, JOBS.c.idempotency_key)
_INSTANCES = cast(Table, ProcessInstance.__table__)
_CLAIM_WITH_KEY = (_CLAIM.where(_INSTANCES.c.id == JOBS.c.instance_id)
                   .returning(*_CLAIMED, _INSTANCES.c.business_key))
#: one instance's given jobs and its queued, running and finished-but-unapplied ones
_INSTANCE_JOBS = select(*_APPLY_COLUMNS).where(
    Job.instance_id == bindparam("instance_id"),
    or_(Job.id.in_(bindparam("ids", expanding=True)), Job.state.in_(("queued", "running", "succeeded", "failed"))),
).order_by(Job.updated_at, Job.id)
#: jobs' states and results, one parameter set per job
_WRITE_OUTCOME = (update(JOBS).where(JOBS.c.id == bindparam("jid"))
                  .values(state=bindparam("st"), result=bindparam("res"), error_code=None, last_error=None,
                          lease_until=None, updated_at=bindparam("now")))
#: jobs' new states
_SETTLE = (update(JOBS).where(JOBS.c.id.in_(bindparam("ids", expanding=True)))
           .values(state=bindparam("st"), updated_at=bindparam("now")))


def claim(job_ids: list[str]) -> list[JobCall]:
    """Lease the runnable jobs among ``job_ids`` (queued or due, not taken by anyone else).

    One conditional UPDATE … RETURNING: of two workers handed the same job, one gets it.
    """
    now = utcnow()
    params = {"ids": list(job_ids), "now": now,
              "lease": now + timedelta(seconds=context.settings().job_lease_seconds)}
    with db.transaction() as session:
        if db.is_sqlite:  # no RETURNING from the joined table there: the business keys in a second query
            rows = session.execute(_CLAIM.returning(*_CLAIMED), params).all()
            keys = dict(session.execute(select(ProcessInstance.id, ProcessInstance.business_key).where(
                ProcessInstance.id.in_({r.instance_id for r in rows}))).all()) if rows else {}
        else:  # UPDATE … FROM: the instance's business key comes back with the job
            rows = session.execute(_CLAIM_WITH_KEY, params).all()
            keys = {r.instance_id: r.business_key for r in rows}
    order = {job_id: n for n, job_id in enumerate(job_ids)}
    return sorted((JobCall(r.id, r.instance_id, r.task_id, r.bpmn_id, r.operator, dict(r.params), r.attempts,
                           r.idempotency_key, keys.get(r.instance_id)) for r in rows), key=lambda c: order[c.id])


def execute(job_id: str) -> str:
    """Run one job (see :func:`execute_batch`)."""
    return execute_batch([job_id]).get(job_id, "skipped")


def execute_batch(job_ids: list[str], threads: int = POOL_THREADS) -> dict[str, str]:
    """Run jobs side by side (operators mostly wait on the network), then store and apply each
    instance's results in one step: a fan-out of data-source calls costs one claim and one
    transaction, not a claim, a store and a resume (let alone one of each per call).
    """
    claimed, calls = claim(list(job_ids)), []
    # an inline operator's job (queued by a person's step) runs inside its instance's resume
    resumed: dict[str, list[JobCall]] = {}
    for call in claimed:
        if _runs_in_resume(call):
            resumed.setdefault(call.instance_id, []).append(call)
        else:
            calls.append(call)
    app = current_app._get_current_object()
    settings = context.settings()
    # the heartbeat keeps the leases while the operators run and until their outcomes are stored
    with LeaseKeeper(app, [(c.id, c.attempt) for c in claimed], settings.job_lease_seconds,
                     settings.job_heartbeat_seconds):
        answers = _call_all(calls, threads)
        outcomes: dict[str, str] = {}
        for call, answer in zip(calls, answers, strict=True):
            if isinstance(answer, OperatorError):
                outcomes[call.id] = _fail(call, answer)
        by_instance: dict[str, list[tuple[JobCall, dict]]] = {}
        for call, answer in zip(calls, answers, strict=True):
            if not isinstance(answer, OperatorError):
                by_instance.setdefault(call.instance_id, []).append((call, answer))
        for instance_id in resumed:
            by_instance.setdefault(instance_id, [])
        for instance_id, successes in by_instance.items():
            outcomes.update(_store_and_resume(instance_id, successes, resumed.get(instance_id, [])))
    for instance_id in dict.fromkeys(c.instance_id for c in calls
                                     if outcomes[c.id] == "failed" and c.instance_id not in by_instance):
        resume_when_idle(instance_id)
    return {job_id: outcomes.get(job_id, "skipped") for job_id in job_ids}


def _call_all(calls: list[JobCall], threads: int = POOL_THREADS) -> list[dict | OperatorError]:
    """Each call's answer (:func:`_call`), the calls made side by side on the process's pool.

    A call made on the pool that makes calls itself (a delivered message starting an instance,
    with the inline runner) makes them on its own thread: no pool thread waits for another.
    """
    if len(calls) < 2 or threads < 2 or getattr(_on_pool, "active", False):
        return [_call(call) for call in calls]
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy, typed as Flask

    def one(call: JobCall):
        _on_pool.active = True
        with app.app_context():
            return _call(call)

    return list(_shared_pool().map(one, calls))


def call_in_step(step: Step, requests: list[JobRequest]) -> None:
    """Call the ``query`` operations a background step has reached, side by side, while the
    step holds its instance, and apply their answers in that step (ADR 0025).

    A result completes its task; a failure that will not be retried (not retryable, or the
    operator allows one attempt) is thrown into the diagram or opens an incident, as a job's
    would. Each call is written with the step's jobs (:attr:`Step.called`) as a job with its one
    attempt: applied, or, when the failure may be retried, pending with its error and its next
    attempt's time, for the scheduler to queue as any retry.
    """
    instance, now = step.instance, utcnow()
    calls = [JobCall(str(uuid.uuid4()), instance.id, r.task_id, r.bpmn_id, r.operator,
                     to_json_value(r.params, "params"), 1, f"{instance.id}:{r.task_id}", instance.business_key)
             for r in requests]
    applied: list[dict] = []
    settled: dict[str, str] = {}
    for request, call, answer in zip(requests, calls, _call_all(calls, POOL_THREADS), strict=True):
        row: dict = {"id": call.id, "params": call.params, "attempts": 1}
        if not isinstance(answer, OperatorError):
            done = step.run.apply_job_result(request.task_id, request.result_variable, answer)
            row |= {"state": "applied" if done else "cancelled", "result": answer}
            if done:
                applied.append({"job_id": call.id, "operator": call.operator, "bpmn_id": call.bpmn_id})
            step.called.append((request, row))
            continue
        row |= {"error_code": answer.code, "last_error": answer.message[:4000]}
        policy = registry.get(call.operator).retry
        if answer.retryable and policy.max_attempts > 1:
            row |= {"state": "pending", "run_after": _retry_at(policy, 1, now)}
            log.info("job %s (%s) attempt 1 in the step: %s retrying", call.id, call.operator, answer.code)
        else:
            failed = _Finished(call.id, instance.id, call.task_id, call.bpmn_id, request.task_name, call.operator,
                               call.params, request.result_variable, None, "failed", answer.code, answer.message)
            if entry := _apply(step, failed, {call.task_id}, settled):
                applied.append(entry)
            row["state"] = settled[call.id]
        step.called.append((request, row))
    if applied:  # one audit event for the calls the step made and applied itself
        step.audit("jobs.called_in_step", {"jobs": applied})


def _runs_in_resume(call: JobCall) -> bool:
    """Whether the job's operator is ``inline`` (ADR 0023): then the resume that applies its
    result calls it, in the resume's transaction, instead of a transaction of its own first."""
    return not db.is_sqlite and inline.is_inline(call.operator)


def _store_and_resume(instance_id: str, successes: list[tuple[JobCall, dict]],
                      in_resume: list[JobCall] | None = None) -> dict[str, str]:
    """Store one instance's results and apply them in one transaction (the instance row locked
    first): when the instance still waits for other running jobs, only the results are stored
    and the last of those jobs to finish applies them all.

    The jobs ``in_resume`` (claimed, of inline operators) are called in that transaction, right
    after the instance row is locked, each in a savepoint: their writes commit with their
    results. One that fails, or all of them when the transaction fails, is called again
    afterwards as any job is (:func:`_call`), with its retries and incident.
    """
    outcomes: dict[str, str] = {}
    in_resume = in_resume or []
    ran: list[tuple[JobCall, dict]] = []

    ready: list[_Finished] = []  # what the resume applies, read while the results were stored
    unstored: dict[str, dict] = {}  # job id → its result, written by the resume with its new state

    def store(session, _instance) -> bool:
        ran.clear()
        ready.clear()
        unstored.clear()
        for call in in_resume:
            result = inline.call_in_session(session, call.operator, call.params, _context(call, session))
            if result is not None:
                ran.append((call, result))
        stored = successes + ran
        results = {c.id: result for c, result in stored}
        # one query: these jobs (applied or cancelled meanwhile?), the instance's jobs still
        # running, and its finished ones waiting to be applied (stored by earlier batches)
        rows = [_Finished(*r) for r in session.execute(
            _INSTANCE_JOBS, {"instance_id": instance_id, "ids": list(results)}).all()]
        stale = {r.id for r in rows if r.id in results and r.state in FINISHED}
        if any(r.id not in results and r.state in ("queued", "running") for r in rows):
            # the last of the instance's running jobs applies them all: only store these
            outcomes.update(_write_results(session, stored, stale))
            return False
        outcomes.update(_note_results(session, stored, stale))
        # earlier results first (as stored), then these: each written once, with its new state
        ready.extend(r for r in rows if r.id not in results and r.state in ("succeeded", "failed"))
        ready.extend(r._replace(state="succeeded", result=results[r.id], error_code=None, last_error=None)
                     for r in rows if r.id in results and r.id not in stale)
        unstored.update({r.id: results[r.id] for r in ready if r.id in results})
        return True

    try:
        with_instance_if(instance_id, _resume_action(instance_id, ready, unstored), "system", store)
    except Exception:  # stored apart, so a failing resume keeps the results (and fails as before)
        log.info("storing and applying the results of %s together failed; storing them first", instance_id,
                 exc_info=True)
        ran.clear()  # rolled back with the transaction: called again below
        outcomes = _store_results(successes)
        if any(o == "succeeded" for o in outcomes.values()):
            resume_when_idle(instance_id)
    done = {c.id for c, _ in ran}
    for call in in_resume:
        if call.id not in done:
            outcomes.update(_run_alone(call))
    return outcomes


def _context(call: JobCall, session=None) -> OperatorContext:
    """What the operator of ``call`` is told (``session``: the transaction it writes in)."""
    return OperatorContext(
        idempotency_key=call.idempotency_key, instance_id=call.instance_id, business_key=call.business_key,
        task_id=call.task_id, task_bpmn_id=call.bpmn_id, attempt=call.attempt, settings=context.settings(),
        extra={"session": session} if session is not None else {},
    )


def _run_alone(call: JobCall) -> dict[str, str]:
    """A claimed job called as usual (its own transaction), its outcome stored and applied."""
    answer = _call(call)
    if isinstance(answer, OperatorError):
        outcome = {call.id: _fail(call, answer)}
        if outcome[call.id] == "failed":
            resume_when_idle(call.instance_id)
        return outcome
    return _store_and_resume(call.instance_id, [(call, answer)])


def _call(call: JobCall) -> dict | OperatorError:
    """The operator's JSON result, or the error it failed with (never raises)."""
    if call.operator == DELIVER_OPERATOR:
        return _deliver(call)
    try:
        op = registry.get(call.operator)
        return to_json_value(op.func(op.load_params(call.params), _context(call)), "result")
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
    """Store every result in one transaction of its own (without resuming)."""
    if not successes:
        return {}
    with db.transaction() as session:
        return _write_results(session, successes)


def _write_results(session, successes: list[tuple[JobCall, dict]], stale: set[str] | None = None) -> dict[str, str]:
    """Store the results in ``session``; a job applied or cancelled meanwhile is stale."""
    now = utcnow()
    if stale is None:
        stale = set(session.scalars(select(Job.id).where(
            Job.id.in_([c.id for c, _ in successes]), Job.state.in_(FINISHED))))
    rows = {c.id: ("succeeded", result) for c, result in successes if c.id not in stale}
    if rows:
        _write_outcomes(session, rows, now)
    return _note_results(session, successes, stale)


def _note_results(session, successes: list[tuple[JobCall, dict]], stale: set[str]) -> dict[str, str]:
    """What follows from the results that are not stale (the SMS sent are kept); each job's
    outcome: stale, or succeeded."""
    from app.messages import service as messages

    messages.record_job_results(session, [(c, r) for c, r in successes if c.id not in stale])
    return {c.id: ("stale" if c.id in stale else "succeeded") for c, _ in successes}


def _write_outcomes(session, outcomes: dict[str, tuple[str, dict]], now) -> None:
    """Write jobs' (state, result) pairs, keyed by job id, in one UPDATE with many parameter sets
    (sent in pages); rows in a fixed (id) order, so that two transactions updating the same jobs
    lock them alike."""
    session.connection().execute(_WRITE_OUTCOME, [{"jid": job_id, "st": state, "res": result, "now": now}
                                                  for job_id, (state, result) in sorted(outcomes.items())])


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
            job.state, job.run_after = "pending", _retry_at(policy, job.attempts, now)
            outcome = "retrying"
        else:
            job.state = "failed"
            outcome = "failed"
    log.info("job %s (%s) attempt %s: %s %s", call.id, call.operator, call.attempt, error.code, outcome)
    return outcome


def _retry_at(policy, attempts: int, now):
    """When the attempt after ``attempts`` failed ones may run: the policy's backoff, plus up to a
    fifth more so that jobs failed together do not come back together."""
    return now + timedelta(seconds=policy.delay(attempts) * (1 + random.uniform(0, 0.2)))


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
    return with_instance(instance_id, _resume_action(instance_id), "system")


def _resume_action(instance_id: str, ready: list[_Finished] | None = None,
                   unstored: dict[str, dict] | None = None):
    """The step that applies the instance's finished jobs: ``ready`` when the caller read them
    (those in ``unstored`` with results not stored yet: each is written once, with its new
    state), else read here."""

    def action(step: Step) -> int:
        if ready:
            jobs = list(ready)
        else:
            jobs = [_Finished(*r) for r in step.session.execute(
                select(*_APPLY_COLUMNS).where(Job.instance_id == instance_id, Job.state.in_(("succeeded", "failed")))
                .order_by(Job.updated_at, Job.id)).all()]
        started = step.before.started_service
        settled: dict[str, str] = {}  # job id → its state after this step
        applied = [entry for job in jobs if (entry := _apply(step, job, started, settled))]
        _settle(step.session, settled, unstored if ready else None)
        if applied:  # one audit event for the results a resume applies together
            step.audit("jobs.applied", {"jobs": applied})
        return len(jobs)

    return action


def _settle(session, settled: dict[str, str], results: dict[str, dict] | None = None) -> None:
    """Write the jobs' new states: one UPDATE per state, rows in id order; the jobs whose
    ``results`` were not stored yet get them in one UPDATE with their states."""
    now = utcnow()
    results = results or {}
    if results:
        _write_outcomes(session, {job_id: (settled.get(job_id, "succeeded"), result)
                                  for job_id, result in results.items()}, now)
    by_state: dict[str, list[str]] = {}
    for job_id, state in settled.items():
        if job_id not in results:
            by_state.setdefault(state, []).append(job_id)
    for state, ids in sorted(by_state.items()):
        session.execute(_SETTLE, {"ids": sorted(ids), "st": state, "now": now})


def _apply(step: Step, job, started: set[str], settled: dict[str, str]) -> dict | None:
    """Apply one finished job (a row of :data:`_APPLY_COLUMNS`); what the audit trail records of
    it (None if nothing applied). Its new state goes into ``settled``."""
    step.settled_tasks.add(job.task_id)
    entry = {"job_id": job.id, "operator": job.operator, "bpmn_id": job.bpmn_id}
    if job.operator == DELIVER_OPERATOR:  # nothing waits for it in the thrower
        return _settle_delivery(step, job, entry, settled)
    if job.task_id not in started or not step.run.awaits_job(job.task_id):
        settled[job.id] = "cancelled"  # the task went away (a timer or error took it)
        return None
    if job.state == "succeeded":
        step.run.apply_job_result(job.task_id, job.result_variable, job.result)
        settled[job.id] = "applied"
        return entry
    message = job.last_error or job.error_code or "operator failed"
    if step.run.throw_error(job.task_id, job.error_code or "OperatorFailed", message):
        settled[job.id] = "applied"
        return entry | {"error_code": job.error_code, "caught_by_boundary_event": True}
    _incident(step, job, message, settled)
    return None


def _incident(step: Step, job, message: str, settled: dict[str, str]) -> None:
    """The failed job becomes an incident (its retry queues the job again)."""
    settled[job.id] = "incident"
    step.incidents.append(Incident(
        instance_id=job.instance_id, process_key=step.instance.process_key, task_id=job.task_id,
        bpmn_id=job.bpmn_id, task_name=job.task_name, job_id=job.id, kind="job_failed",
        error_code=job.error_code, message=message, created_at=utcnow(),
    ))
    step.audit("incident.opened", {"job_id": job.id, "operator": job.operator, "error_code": job.error_code})


def _settle_delivery(step: Step, job, entry: dict, settled: dict[str, str]) -> dict | None:
    """A delivered message or signal is applied; an undeliverable one becomes an incident (its
    retry queues the delivery again)."""
    if job.state == "succeeded":
        settled[job.id] = "applied"
        return entry | {"delivered": job.params.get("name"), "to": job.result}
    _incident(step, job, job.last_error or job.error_code or "delivery failed", settled)
    return None
