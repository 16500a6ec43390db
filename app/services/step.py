"""How a step flows: lock the instance row, load, act, advance, write everything, enqueue.

:func:`with_instance` is the one place an existing instance changes. In ONE transaction it
writes the workflow state, the inbox rows, the new outbox jobs, incidents, message
subscriptions and audit events; only after the commit are the new jobs handed to the runner.
Service tasks of ``inline`` operators a background step reaches run in the step itself
(:func:`app.jobs.inline.run_inline`, ADR 0023), and so are the ``query`` operations it reaches
called, each call written as a job with its attempt (ADR 0025).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar, cast

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import and_, bindparam, delete, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.audit import chain as audit_chain
from app.db import db, utcnow
from app.engine import serializer
from app.engine.bounded import Limits
from app.engine.bundle import Bundle, bundles
from app.engine.human_tasks import describe
from app.engine.operators import registry
from app.engine.runtime import DELIVER_OPERATOR, DELIVERY_RETRY, Run, Snapshot
from app.engine.sandbox import to_json_value
from app.engine.script_engine import JobRequest, make_script_engine
from app.engine.script_functions import SCRIPT_FUNCTIONS
from app.jobs.inline import run_inline
from app.l10n import Message
from app.models import (
    AuditChainHead,
    DecisionEvaluation,
    DefinitionFile,
    HumanTask,
    Incident,
    InstanceArchive,
    Job,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
    User,
)
from app.privacy import mask_name
from app.services import audit_service, context
from app.services.errors import InstanceDataTooLarge, InstanceNotFound

T = TypeVar("T")
#: Data keys copied into the instance and task summaries shown in lists; ``applicant_username``
#: is how the portal finds a case filed on an applicant's behalf (someone else started it).
SUMMARY_KEYS = ("title", "district", "housing_type", "application_no", "step", "applicant_name",
                "applicant_username")
OPEN_JOB_STATES = ("pending", "queued", "running", "succeeded", "failed")
#: Actors of steps no person is waiting for: an over-large state becomes an incident.
BACKGROUND_ACTORS = ("system", "scheduler")
#: the audit trail's subject type of a process instance
AUDIT_SUBJECT = "process_instance"


@dataclass
class Step:
    """What an action sees: the session, the locked instance, its run and the actor."""

    session: Session
    instance: ProcessInstance
    run: Run
    actor: str
    new_job_ids: list[str] = field(default_factory=list)
    #: the workflow as it was loaded (empty for a new instance): persist writes only the difference
    before: Snapshot = field(default_factory=Snapshot)
    #: service tasks whose job outcome this step has dealt with
    settled_tasks: set[str] = field(default_factory=set)
    #: a person's step that no one waits for as it runs (a batch import files each case this way)
    unattended: bool = False
    #: the step that starts the instance: no inbox row of it exists yet to look for
    starts: bool = False
    #: the queries this step called itself (ADR 0025), each with its job row's own values
    called: list[tuple[JobRequest, dict]] = field(default_factory=list)
    #: incidents of the jobs this step applied, written once the instance row exists (a start
    #: that calls a query which fails for good opens one before its instance is inserted)
    incidents: list[Incident] = field(default_factory=list)

    @property
    def background(self) -> bool:
        """No person waits for this step (a job's resume, a timer, a delivered message, an
        unattended start such as a batch import's)."""
        return self.unattended or self.actor in BACKGROUND_ACTORS

    def audit(self, action: str, details: dict | None = None) -> None:
        """Record an audit event on this instance."""
        audit_service.record(self.session, self.actor, action, AUDIT_SUBJECT, self.instance.id,
                             details, instance_id=self.instance.id)


def load_bundle(session: Session, process_key: str, definition_ids: list[int]) -> Bundle:
    """The compiled specs for an instance's definition versions (cached)."""

    def load_files(ids):
        rows = session.execute(
            select(DefinitionFile.file_name, DefinitionFile.content)
            .join(ProcessDefinition, ProcessDefinition.file_id == DefinitionFile.id)
            .where(ProcessDefinition.id.in_(ids))
            .distinct()
        ).all()
        return [(name, bytes(content)) for name, content in rows]

    return bundles.get(process_key, definition_ids, load_files)


def new_engine():
    """A script engine with the application's time limit and functions."""
    return make_script_engine(Limits.from_settings(context.settings()), SCRIPT_FUNCTIONS)


@contextmanager
def instance_lock(instance_id: str) -> Iterator[None]:
    """Serialise writers of one instance where the database cannot (SQLite)."""
    with db.instance_lock(instance_id) if db.is_sqlite else nullcontext():
        yield


#: the instance row locked, with its audit chain's head (built once: a step's statements are
#: constants with bound parameters, so building and keying them costs nothing per step)
_LOCK_INSTANCE = (
    select(ProcessInstance, AuditChainHead.head_hash, AuditChainHead.count)
    .outerjoin(AuditChainHead, and_(AuditChainHead.subject_type == AUDIT_SUBJECT,
                                    AuditChainHead.subject_id == ProcessInstance.id))
    .where(ProcessInstance.id == bindparam("instance_id")).with_for_update(of=ProcessInstance)
)


def with_instance(instance_id: str, action: Callable[[Step], T], actor: str) -> T:
    """Run ``action`` on the locked, loaded instance and persist the result atomically."""
    return cast(T, with_instance_if(instance_id, action, actor, None))


def with_instance_if(instance_id: str, action: Callable[[Step], T], actor: str,
                     prepare: Callable[[Session, ProcessInstance], bool] | None) -> T | None:
    """:func:`with_instance`, where ``prepare`` writes in the same transaction right after the
    instance row is locked, before the state is loaded; when it returns False the step ends
    there (committed, nothing loaded) and None is returned.
    """
    with instance_lock(instance_id), _data_incident(instance_id, actor):
        with db.transaction() as session:
            # the instance row locked, and its audit chain's head read with it (no query at commit)
            row = session.execute(_LOCK_INSTANCE, {"instance_id": instance_id}).first()
            if row is None:
                raise InstanceNotFound(f"process instance {instance_id} does not exist")
            instance, head_hash, head_count = row
            audit_chain.note_head(session, AUDIT_SUBJECT, instance.id, head_hash, head_count)
            if prepare is not None and not prepare(session, instance):
                return None
            bundle = load_bundle(session, instance.process_key, instance.bundle)
            workflow = serializer.loads(instance.state, bundle.spec, bundle.subprocess_specs)
            run = Run.resume(workflow, bundle, new_engine())
            step = Step(session, instance, run, actor, before=run.snapshot())
            value = action(step)
            step.run.advance()
            run_inline(step)
            persist(step)
        job_ids = step.new_job_ids
    if job_ids:
        context.runner().submit(job_ids, force=True)  # new: no queue can hold them yet
    return value


def persist(step: Step) -> None:
    """Write the run's state and projections into the step's session (no commit).

    Nothing is flushed on the way (no autoflush): the step's rows go to the database together
    when the transaction commits, the instance row written once.
    """
    with step.session.no_autoflush:
        _persist(step)


def _persist(step: Step) -> None:
    session, instance, run = step.session, step.instance, step.run
    now = utcnow()
    after = run.snapshot()
    previous_summary = instance.summary
    instance.state, archive = serializer.dumps_live(run.workflow)
    _check_size(instance.state)
    instance.state_format = serializer.STATE_FORMAT
    instance.next_timer_due_at = run.next_timer_due()
    instance.summary = summary_of(after.data, previous_summary)
    instance.updated_at = now
    completed = after.completed and instance.status == "running"
    if completed:
        instance.status = "completed"
        instance.completed_at = now
    if instance not in session:  # a new instance (a start): its one INSERT, with its state
        session.add(instance)
    if instance in session.new:  # … before the rows referring to it
        session.flush()
    session.add_all(step.incidents)
    step.incidents.clear()
    if archive:  # finished work leaves the live state for the archive (app.engine.compaction)
        _insert(session, InstanceArchive, [{"instance_id": instance.id, "nodes": archive.nodes, "archived_at": now,
                                            "tasks": serializer.encode_archived(archive.workflows)}])
    _write_jobs(step, after, now)
    _sync_human_tasks(step, after, now, previous_summary)
    for failure in run.failures:
        session.add(Incident(
            instance_id=instance.id, process_key=instance.process_key, task_id=failure.task_id,
            bpmn_id=failure.bpmn_id, task_name=failure.task_name, kind=failure.kind,
            message=failure.message[:4000], line_number=failure.line_number, created_at=now,
        ))
        step.audit("incident.opened", {"bpmn_id": failure.bpmn_id, "message": failure.message[:500]})
    run.failures.clear()
    _write_decisions(step, now)
    _sync_subscriptions(step, after)
    if completed:
        step.audit("instance.completed")


def _check_size(state: str) -> None:
    limit = context.settings().max_instance_data_bytes
    size = len(state.encode("utf-8"))
    if size > limit:
        raise InstanceDataTooLarge(
            Message("instance.data_too_large", size=f"{size:,}", limit=f"{limit:,}"),
            size=size, limit=limit)


@contextmanager
def _data_incident(instance_id: str, actor: str) -> Iterator[None]:
    """For a background step whose state is too large: one open incident says so (the step
    itself is rolled back and is tried again by whatever retries it)."""
    try:
        yield
    except InstanceDataTooLarge as exc:
        if actor in BACKGROUND_ACTORS:
            with db.transaction() as session:
                instance = session.get(ProcessInstance, instance_id)
                open_one = session.scalar(select(Incident.id).where(
                    Incident.instance_id == instance_id, Incident.kind == "data_too_large",
                    Incident.status == "open").limit(1))
                if instance is not None and open_one is None:
                    session.add(Incident(instance_id=instance_id, process_key=instance.process_key, task_id="",
                                         kind="data_too_large", error_code=exc.code, message=exc.detail,
                                         created_at=utcnow()))
        raise


def summary_of(data: dict, previous: dict | None = None) -> dict:
    """The list projection of process data (names masked)."""
    out = dict(previous or {})
    for key in SUMMARY_KEYS:
        if key in data and isinstance(data[key], (str, int, float)):
            out[key] = data[key]
    if "applicant_name" in out:
        out["applicant_name"] = mask_name(str(out["applicant_name"]))
    return out


def _write_jobs(step: Step, after: Snapshot, now) -> None:
    session, instance, run = step.session, step.instance, step.run
    for thrown in run.take_thrown():  # delivered by a worker, durable and retried like a service call
        job = Job(
            id=str(uuid.uuid4()), instance_id=instance.id, task_id=thrown.task_id, bpmn_id=thrown.bpmn_id,
            task_name=thrown.task_name, operator=DELIVER_OPERATOR,
            params={"kind": thrown.kind, "name": thrown.name,
                    "payload": to_json_value(thrown.payload, "payload"),
                    "business_key": instance.business_key},
            result_variable="", idempotency_key=f"{instance.id}:{thrown.task_id}:{thrown.kind}:{uuid.uuid4()}",
            state="queued", max_attempts=DELIVERY_RETRY.max_attempts, run_after=now, created_at=now, updated_at=now,
        )
        session.add(job)
        step.new_job_ids.append(job.id)
    called, step.called = step.called, []
    for req, values in [(r, {}) for r in run.take_job_requests()] + called:
        op = registry.get(req.operator) if req.operator in registry else None
        job = Job(
            id=str(uuid.uuid4()), instance_id=instance.id, task_id=req.task_id, bpmn_id=req.bpmn_id,
            task_name=req.task_name, operator=req.operator,
            params=values["params"] if "params" in values else to_json_value(req.params, "params"),
            result_variable=req.result_variable, idempotency_key=f"{instance.id}:{req.task_id}",
            state="queued", max_attempts=op.retry.max_attempts if op else 1, run_after=now,
            created_at=now, updated_at=now,
        )
        for key, value in values.items():  # a query the step called: its attempt and outcome
            setattr(job, key, value)
        session.add(job)
        if job.state == "queued":
            step.new_job_ids.append(job.id)
    gone = step.before.started_service - after.started_service - step.settled_tasks
    if not gone:
        return
    stale = session.scalars(select(Job).where(
        Job.instance_id == instance.id, Job.task_id.in_(gone), Job.state.in_(OPEN_JOB_STATES)))
    for job in stale:  # the task left STARTED without its result (a timer interrupted it …)
        job.state = "cancelled"
        job.updated_at = now


def _sync_human_tasks(step: Step, after: Snapshot, now, instance_summary: dict | None) -> None:
    session, instance, run = step.session, step.instance, step.run
    before = set(step.before.ready_human)
    closed = before - set(after.ready_human)
    opened = [tid for tid in after.ready_human if tid not in before]
    just_completed: list[HumanTask] = []  # this step's; the database still has them ready
    if closed:
        loaded = {tid: session.identity_map.get(identity_key(HumanTask, tid)) for tid in closed}
        rows = [row for row in loaded.values() if row is not None]  # the action read them already
        missing = [tid for tid, row in loaded.items() if row is None]
        if missing:
            rows += session.scalars(select(HumanTask).where(HumanTask.id.in_(missing))).all()
        for row in rows:
            if row.status != "ready":
                continue
            task = _find(run, row.id)
            done = task is not None and task.has_state(TaskState.COMPLETED)
            row.status, row.completed_at = ("completed" if done else "cancelled"), now
            if done:
                just_completed.append(row)
    if not opened:
        return
    # one query: which of the opened tasks exist already, and the instance's completed ones
    known = [] if step.starts else session.execute(_KNOWN_TASKS, {"instance_id": instance.id, "opened": opened}).all()
    again = [r.id for r in known if r.id in after.ready_human]
    existing = {h.id: h for h in session.scalars(select(HumanTask).where(HumanTask.id.in_(again)))} if again else {}
    # the steps just closed count as the instance's previous human step (not flushed yet)
    completed: list = [r for r in known if r.status == "completed"]
    last = max(completed + just_completed, key=_completion_order, default=None)
    tasks: list[dict] = []
    candidates: list[dict] = []
    for task_id in opened:
        if task_id in existing:  # e.g. a retried task that is ready again
            existing[task_id].status, existing[task_id].completed_at = "ready", None
            continue
        view = describe(after.ready_human[task_id], run.bundle.lane_groups)
        summary = summary_of(after.ready_human[task_id].data, instance_summary)
        if view.problems:
            summary["problems"] = view.problems
        tasks.append({
            "id": task_id, "instance_id": instance.id, "process_key": instance.process_key,
            "business_key": instance.business_key, "bpmn_id": view.bpmn_id, "name": view.name, "lane": view.lane,
            "form_key": view.form_key, "ui_form_key": view.ui_form_key, "instructions": view.instructions,
            "candidate_groups": view.candidate_groups,
            "assignee": view.assignee or _same_role_clerk(session, last, view.candidate_groups),
            "district": view.district, "status": "ready", "due_at": view.due_at, "created_at": now,
            "completed_at": None, "completed_by": None, "summary": summary,
        })
        candidates += [{"task_id": task_id, "group_name": group} for group in view.candidate_groups]
    _insert(session, HumanTask, tasks)
    _insert(session, TaskCandidate, candidates)


def _insert(session: Session, model, rows: list[dict]) -> None:
    """New rows of a step's projections, written as they are made (SQLAlchemy Core: no unit of
    work; rows of one table in one statement). Every row of a call has the same keys."""
    if rows:
        session.execute(insert(model.__table__), rows)


#: which of a step's opened tasks exist already, and the instance's completed ones
_KNOWN_TASKS = select(
    HumanTask.id, HumanTask.status, HumanTask.candidate_groups, HumanTask.completed_by, HumanTask.completed_at,
    HumanTask.created_at,
).where(HumanTask.instance_id == bindparam("instance_id"),
        or_(HumanTask.id.in_(bindparam("opened", expanding=True)), HumanTask.status == "completed"))


#: an active user by name (the clerk a new task may stay with)
_ACTIVE_USER = select(User).where(User.username == bindparam("username"), User.active.is_(True))


def _completion_order(row) -> tuple:
    """Latest completed first, as ``ORDER BY completed_at DESC, created_at DESC`` on PostgreSQL
    (where a missing time sorts first)."""
    far = datetime.max.replace(tzinfo=UTC)
    return (row.completed_at or far, row.created_at or far)


def _same_role_clerk(session: Session, last, groups: list[str]) -> str | None:
    """Who completed the instance's previous human step (``last``), when it had the same
    candidate groups.

    A case stays with its clerk through consecutive steps of one role (受理 → 初审); they give it
    back with 放回任务池. Nobody is chosen if that clerk has left the group or was disabled.
    """
    if not groups:
        return None
    if last is None or not last.completed_by or sorted(last.candidate_groups or []) != sorted(groups):
        return None
    clerk = session.scalar(_ACTIVE_USER, {"username": last.completed_by})
    return clerk.username if clerk is not None and set(clerk.groups or []) & set(groups) else None


def _write_decisions(step: Step, now) -> None:
    records, step.run.engine.decisions = step.run.engine.decisions, []
    if not records:
        return
    instance = step.instance
    versions = step.run.bundle.decision_versions
    if versions is None:  # the bundle's versions never change: read once per (cached) bundle
        versions = dict(step.session.execute(
            select(ProcessDefinition.key, ProcessDefinition.id).where(
                ProcessDefinition.id.in_(instance.bundle), ProcessDefinition.kind == "decision")).all())
        step.run.bundle.decision_versions = versions
    _insert(step.session, DecisionEvaluation, [{
        "instance_id": instance.id, "process_key": instance.process_key, "business_key": instance.business_key,
        "decision_id": rec.decision_id, "definition_id": versions.get(rec.decision_id), "bpmn_id": rec.bpmn_id,
        "facts": rec.facts, "outputs": rec.outputs, "matched": rec.matched, "evaluated_at": now,
    } for rec in records])


def _find(run: Run, task_id: str):
    try:
        return run.get_task(task_id)
    except LookupError:
        return None


def _sync_subscriptions(step: Step, after: Snapshot) -> None:
    session, instance = step.session, step.instance
    have, wanted = step.before.waiting_messages, after.waiting_messages
    if have - wanted:
        session.execute(delete(MessageSubscription).where(
            MessageSubscription.instance_id == instance.id,
            MessageSubscription.message_name.in_(have - wanted),
        ))
    for name in wanted - have:
        session.add(MessageSubscription(instance_id=instance.id, message_name=name,
                                        business_key=instance.business_key))
