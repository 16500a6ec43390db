"""Inline handlers: the service tasks a background step runs itself, in its own transaction.

An operator declared ``inline`` (:attr:`app.engine.operators.Operator.inline`) is an internal
handler that calls nothing outside this database and is quick. A step no person waits for (a
job's resume, a timer, a delivered message) that reaches its task runs it here instead of
writing a job for a worker: no claim, no transaction of its own, no resume. See ADR 0023.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.db import db
from app.engine.operators import OperatorContext, registry
from app.engine.sandbox import to_json_value
from app.services import context

if TYPE_CHECKING:  # pragma: no cover
    from app.services.step import Step

log = logging.getLogger(__name__)
#: how many rounds of inline service tasks one step runs at most (each round advances again)
MAX_INLINE_ROUNDS = 20


def run_inline(step: Step) -> None:
    """Run the service tasks of ``inline`` operators the step has reached, in its transaction.

    Each runs inside a savepoint with the step's session (``ctx.extra["session"]``); its result
    completes the task and the run advances again, so a chain of them (the merge of the checks,
    the score, the suggested opinion, the case record) costs this one step. One that fails —
    its savepoint rolled back — and every other operator's task stay jobs, written by the
    step's ``persist`` as always.

    When no inline task is due, the ``query`` operations the step has reached (the sources'
    checks) are called side by side and applied (:func:`app.services.job_service.call_in_step`,
    ADR 0025), and the run advances again into whatever inline tasks follow them.

    Only in steps no person waits for (:attr:`Step.background`): what follows an inline task
    can be long (受理's case record leads into the start of the 14 checks), so a person's step
    hands its inline tasks to a worker as jobs, and the worker's resume runs them and the rest.
    Not on SQLite, which has no savepoint inside the embedded server's transactions: there
    every service task is a job.
    """
    if not inline_enabled(step):
        return
    engine, ran = step.run.engine, []
    tried: set[str] = set()
    for _ in range(MAX_INLINE_ROUNDS):
        due = [r for r in engine.job_requests if r.task_id not in tried and is_inline(r.operator)]
        if not due:  # then the sources' checks and other queries it has reached, side by side
            queries = [r for r in engine.job_requests if r.task_id not in tried and is_query(r.operator)]
            if not queries:
                break
            engine.job_requests = [r for r in engine.job_requests if r not in queries]
            tried.update(r.task_id for r in queries)
            from app.services import job_service  # it runs steps: imported as a step runs

            job_service.call_in_step(step, queries)
            step.run.advance()
            continue
        engine.job_requests = [r for r in engine.job_requests if r not in due]
        for request in due:
            tried.add(request.task_id)
            result = _call(step, request)
            if result is None:
                engine.job_requests.append(request)
            elif step.run.apply_job_result(request.task_id, request.result_variable, result):
                ran.append({"task_id": request.task_id, "operator": request.operator, "bpmn_id": request.bpmn_id})
        step.run.advance()
    if ran:  # one audit event for the service tasks the step ran itself
        step.audit("tasks.ran_inline", {"tasks": ran})


def is_inline(operator: str) -> bool:
    """Whether ``operator`` is registered and declared ``inline``."""
    return operator in registry and registry.get(operator).inline


def is_query(operator: str) -> bool:
    """Whether ``operator`` is registered and declared a ``query`` (ADR 0025)."""
    return operator in registry and registry.get(operator).query


def inline_enabled(step: Step) -> bool:
    """Whether :func:`run_inline` runs anything in this step (a background step on PostgreSQL)."""
    return not db.is_sqlite and step.background


def _call(step: Step, request) -> dict | None:
    """The operator's JSON result, its writes in a savepoint of the step; None if it failed."""
    ctx = OperatorContext(idempotency_key=f"{step.instance.id}:{request.task_id}", instance_id=step.instance.id,
                          business_key=step.instance.business_key, task_id=request.task_id,
                          task_bpmn_id=request.bpmn_id, settings=context.settings(),
                          extra={"session": step.session})
    return call_in_session(step.session, request.operator, request.params, ctx)


def call_in_session(session, operator: str, params: dict, ctx: OperatorContext) -> dict | None:
    """Call an ``inline`` operator with ``session`` as its transaction (``ctx.extra["session"]``),
    its writes in a savepoint: its JSON result, or None if it failed (the savepoint rolled back,
    the session usable, the failure logged: whoever called it runs it again as a job)."""
    op = registry.get(operator)
    session.flush()  # the transaction's own rows first: their errors are not the operator's
    try:
        with session.begin_nested():
            return to_json_value(op.func(op.load_params(to_json_value(params, "params")), ctx), "result")
    except Exception:  # noqa: BLE001 - any failure: it runs again as a job and reports it there
        log.info("inline %s of %s failed; it runs as a job", operator, ctx.instance_id, exc_info=True)
        return None
