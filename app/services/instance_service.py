"""Starting process instances and reading their state and history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import chain as audit_chain
from app.auth.identity import Identity
from app.db import db, utcnow
from app.engine import serializer
from app.engine.runtime import Run, TaskNotFound
from app.jobs.inline import inline_enabled, run_inline
from app.l10n import Message
from app.models import HumanTask, Incident, InstanceArchive, Job, ProcessDefinition, ProcessInstance
from app.services import access, context, definition_service
from app.services.errors import Conflict, Forbidden, InstanceNotFound, InstanceNotRunning, ValidationFailed
from app.services.step import AUDIT_SUBJECT, Step, load_bundle, new_engine, persist, with_instance


def start_instance(
    process_key: str,
    data: dict | None = None,
    business_key: str | None = None,
    actor: str = "system",
    parent_instance_id: str | None = None,
    trigger: Callable[[Run], object] | None = None,
    before_commit: Callable[[Session, ProcessInstance], object] | None = None,
    authorize: Callable[[Session, ProcessDefinition], object] | None = None,
    unattended: bool = False,
    written: Callable[[Step], object] | None = None,
) -> ProcessInstance:
    """Start the newest version of ``process_key`` and advance it until it waits.

    ``trigger`` acts on the new run right after the start — delivering the message or firing
    the timer its start event waits for. ``before_commit`` writes the caller's own rows (a case
    record, say) in the same transaction, so they exist before any job of the instance runs.
    ``authorize`` checks the definition about to start before anything runs (it may complete
    ``data``); services and the scheduler start without it, users through :func:`start_as`.
    A background start (actor ``system`` or ``scheduler``, or ``unattended``: a person's start
    no one waits for, such as each case of a batch import) runs the service tasks of ``inline``
    operators it reaches in its transaction (:func:`app.jobs.inline.run_inline`), after
    ``before_commit``. ``written`` sees the step once everything is written, before the commit.
    """
    if data is not None and not isinstance(data, dict):
        raise ValidationFailed("data must be a JSON object", {"data": ["must be an object"]})
    with db.transaction() as session:
        definition = definition_service.latest(session, process_key)
        if authorize is not None:
            authorize(session, definition)
        bundle_ids = definition_service.resolve_bundle(session, definition)
        try:
            bundle = load_bundle(session, process_key, bundle_ids)
        except ValidationException as exc:  # a decision or called process deployed since no longer fits
            raise Conflict(Message("instance.bundle_unusable", process=process_key, reason=str(exc))) from None
        run = Run.start(bundle, new_engine(), dict(data or {}))
        now = utcnow()
        instance = ProcessInstance(
            id=str(uuid.uuid4()), definition_id=definition.id, process_key=process_key,
            bundle=bundle_ids, business_key=business_key, status="running", state="",
            started_by=actor, started_at=now, updated_at=now, parent_instance_id=parent_instance_id,
        )
        # added to the session when the step's rows are written: inserted once, with its state, even
        # when the caller's rows (a case record) are flushed before that
        step = Step(session, instance, run, actor, unattended=unattended, starts=True)
        audit_chain.note_head(session, AUDIT_SUBJECT, instance.id, None, None)  # a new chain
        step.audit("instance.started", {"process_key": process_key, "version": definition.version,
                                        "business_key": business_key})
        run.advance()
        if trigger is not None:
            trigger(run)
            run.advance()
        rows_first = inline_enabled(step)  # the inline tasks may read the caller's rows
        if before_commit is not None and rows_first:
            before_commit(session, instance)
        run_inline(step)
        persist(step)
        if before_commit is not None and not rows_first:
            before_commit(session, instance)
        if written is not None:
            written(step)
    if step.new_job_ids:
        context.runner().submit(step.new_job_ids, force=True)
    return instance


def start_as(identity: Identity, process_key: str, data: dict | None = None,
             business_key: str | None = None) -> dict:
    """A user starts a process directly (the generic API): only a process whose diagram lets one
    of their roles start it, and only for their district (:func:`access.authorize_start`).

    Answers with :func:`get_instance`'s view of the new instance as its start committed it, read
    in the start's own transaction from the run in hand, not loaded again afterwards. When the
    runner runs the start's jobs right after the commit (the synchronous inline runner of tests
    and the embedded server), the instance has moved on by the time the caller reads the answer,
    so it is read again after them."""
    if data is not None and not isinstance(data, dict):
        raise ValidationFailed("data must be a JSON object", {"data": ["must be an object"]})
    data = dict(data or {})
    described: dict = {}

    def written(step: Step) -> None:
        if not (step.new_job_ids and getattr(context.runner(), "synchronous", False)):
            described.update(_details(step.session, step.instance, step.run))

    instance = start_instance(process_key, data, business_key, identity.username,
                              authorize=lambda session, definition: access.authorize_start(
                                  session, identity, definition, data, business_key), written=written)
    return described or get_instance(instance.id)


def get_instance(instance_id: str, task_id: str | None = None) -> dict:
    """Status, version, data, ready tasks, waiting events, service calls and incidents.

    With ``task_id``, the data is what that task sees: the process data with the task's own on
    top (a task inside a called process, or one instance of a multi-instance task, holds
    variables — its input item, values its pre-script set — the top-level data lacks)."""
    with db.session() as session:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise InstanceNotFound(f"process instance {instance_id} does not exist")
        bundle = load_bundle(session, instance.process_key, instance.bundle)
        run = Run.resume(serializer.loads(instance.state, bundle.spec, bundle.subprocess_specs),
                         bundle, new_engine())
        return _details(session, instance, run, task_id)


def _details(session: Session, instance: ProcessInstance, run: Run, task_id: str | None = None) -> dict:
    """:func:`get_instance`'s answer for ``instance`` whose state is ``run``."""
    definition = session.get(ProcessDefinition, instance.definition_id)
    instance_id = instance.id
    tasks = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
    ).all()
    jobs = session.scalars(
        select(Job).where(Job.instance_id == instance_id).order_by(Job.created_at)
    ).all()
    incidents = session.scalars(
        select(Incident).where(Incident.instance_id == instance_id).order_by(Incident.id)
    ).all()
    return {
        "id": instance.id,
        "process_key": instance.process_key,
        "version": definition.version if definition else None,
        "definition_id": instance.definition_id,
        "bundle": instance.bundle,
        "business_key": instance.business_key,
        "status": instance.status,
        "started_at": instance.started_at.isoformat(),
        "started_by": instance.started_by,
        "completed_at": instance.completed_at.isoformat() if instance.completed_at else None,
        "parent_instance_id": instance.parent_instance_id,
        "summary": instance.summary,
        "data": _task_view(run, task_id) if task_id else run.data(),
        "ready_tasks": [task_brief(t) for t in tasks],
        "waiting_events": run.waiting_events(),
        "service_calls": [job_brief(j) for j in jobs],
        "incidents": [incident_brief(i) for i in incidents],
    }


def _task_view(run: Run, task_id: str) -> dict:
    data = run.data()
    try:
        own = run.get_task(task_id).data
    except TaskNotFound:
        return data
    return {**data, **own}


def history(instance_id: str) -> list[dict]:
    """Completed flow nodes in order, with the actor of each user task."""
    with db.session() as session:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise InstanceNotFound(f"process instance {instance_id} does not exist")
        bundle = load_bundle(session, instance.process_key, instance.bundle)
        run = Run.resume(serializer.loads(instance.state, bundle.spec, bundle.subprocess_specs),
                         bundle, new_engine())
        actors = dict(session.execute(
            select(HumanTask.id, HumanTask.completed_by).where(HumanTask.instance_id == instance_id)
        ).all())
        archived = session.scalars(select(InstanceArchive.nodes).where(InstanceArchive.instance_id == instance_id)
                                   .order_by(InstanceArchive.id)).all()
    nodes = _merged_history(list(archived), run.completed_nodes())
    for node in nodes:
        node["actor"] = actors.get(node["task_id"]) or "system"
    return nodes


def _merged_history(archived: list[list[dict]], live: list[dict]) -> list[dict]:
    """The steps cut from the live state into the archive (app.engine.compaction), then those
    still in it, in completion order; a step appears once."""
    seen: set[str] = set()
    ordered = []
    for node in [n for batch in archived for n in batch]:
        if node["task_id"] not in seen:
            seen.add(node["task_id"])
            ordered.append({k: v for k, v in node.items() if k != "_ts"})
    if not ordered:
        return live
    ordered += [n for n in live if n["task_id"] not in seen]
    return sorted(ordered, key=lambda n: datetime.fromisoformat(n["completed_at"]))


def fire_timers_as(identity: Identity, instance_id: str) -> dict:
    """A user lets the instance's timers fire now: operators and admins only, and only on
    instances they may see (their district's); see :func:`fire_timers_now`."""
    if not identity.has_role("operator"):
        raise Forbidden("只有运维人员可以提前触发计时器")
    return fire_timers_now(instance_id, identity.username, visible_to=identity)


def fire_timers_now(instance_id: str, actor: str, visible_to: Identity | None = None) -> dict:
    """Let every timer the instance waits for fire now (an operator's or a demo's shortcut).

    With ``visible_to``, an instance that identity may not see is reported as not found.
    """

    def action(step: Step) -> int:
        if visible_to is not None and not access.can_view_instance(visible_to, step.instance.started_by,
                                                                   step.instance.summary):
            raise InstanceNotFound(f"process instance {instance_id} does not exist")
        if step.instance.status != "running":
            raise InstanceNotRunning(f"instance {instance_id} is {step.instance.status}")
        fired = step.run.expire_timers()
        step.audit("timers.fired_manually", {"count": fired})
        return fired

    fired = with_instance(instance_id, action, actor)
    return {"fired": fired}


def task_brief(t: HumanTask) -> dict:
    """The public fields of an inbox row."""
    return {
        "id": t.id, "instance_id": t.instance_id, "process_key": t.process_key,
        "business_key": t.business_key, "bpmn_id": t.bpmn_id, "name": t.name, "lane": t.lane,
        "form_key": t.form_key, "ui_form_key": t.ui_form_key, "instructions": t.instructions,
        "candidate_groups": t.candidate_groups, "assignee": t.assignee, "district": t.district,
        "status": t.status, "due_at": t.due_at.isoformat() if t.due_at else None,
        "created_at": t.created_at.isoformat(), "summary": t.summary,
        "completed_at": t.completed_at.isoformat() if t.completed_at else None,
        "completed_by": t.completed_by,
    }


def job_brief(j: Job) -> dict:
    """The public fields of an outbox row."""
    return {
        "id": j.id, "task_id": j.task_id, "bpmn_id": j.bpmn_id, "task_name": j.task_name,
        "operator": j.operator, "state": j.state, "attempts": j.attempts, "max_attempts": j.max_attempts,
        "error_code": j.error_code, "last_error": j.last_error,
    }


def incident_brief(i: Incident) -> dict:
    """The public fields of an incident."""
    return {
        "id": i.id, "instance_id": i.instance_id, "process_key": i.process_key, "task_id": i.task_id,
        "bpmn_id": i.bpmn_id, "task_name": i.task_name, "job_id": i.job_id, "kind": i.kind,
        "error_code": i.error_code, "message": i.message, "line_number": i.line_number,
        "status": i.status, "created_at": i.created_at.isoformat(),
        "resolved_at": i.resolved_at.isoformat() if i.resolved_at else None,
        "resolved_by": i.resolved_by,
    }
