"""Moving running instances to a newer version of their process.

Instances keep the version they started on. Policy staff may move instances that are waiting
somewhere to another version: an instance can move when the elements it waits at (a user task,
a timer, a message, a running job, a failed step — and the call activities they sit in) exist,
by BPMN id and as the same kind of element, in the new version's diagrams. Steps not reached yet
may be added, changed or removed: SpiffWorkflow's predictions of them are dropped and made again
from the new diagrams, so a moved instance continues on the new flow; timers already waiting keep
their due time. A completed step still in the live state (the one the waiting steps hang from, an
open parallel section's finished branches) that the new version has removed blocks the move,
because the engine binds every task of that state to a spec; the report says so rather than
dropping history. Steps compaction has archived (:mod:`app.engine.compaction`) are records that
need no diagram and never block. Every refusal leaves the instance untouched, and a move is checked
by loading the moved state on the new specs before it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select

from app.db import db
from app.engine import serializer
from app.engine.bundle import Bundle
from app.engine.human_tasks import describe
from app.engine.runtime import Run
from app.l10n import Message
from app.models import HumanTask, ProcessDefinition, ProcessInstance, TaskCandidate
from app.services import definition_service
from app.services.errors import DefinitionNotFound, InstanceNotRunning, ValidationFailed
from app.services.step import Step, load_bundle, new_engine, with_instance


def _target(session, key: str, version: int | None) -> ProcessDefinition:
    if version is None:
        return definition_service.latest(session, key)
    target = session.scalar(select(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessDefinition.version == version, ProcessDefinition.kind == "process"))
    if target is None:
        raise DefinitionNotFound(f"process '{key}' has no version {version}")
    return target


#: a task the instance is at: waiting for a person, a timer, a message or a job, or failed
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
#: a task SpiffWorkflow only predicts from the diagram; it is predicted again after a move
PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE


@dataclass
class Fit:
    """What keeps an instance from moving to a version: its waiting elements the new diagrams
    lack (or have changed into another kind of element, or a call activity now calling another
    process), and steps it has completed that are gone (their history could not be kept)."""

    missing_waiting: list[str]
    missing_completed: list[str]

    @property
    def can_move(self) -> bool:
        return not (self.missing_waiting or self.missing_completed)

    def reason(self, version: int) -> str:
        parts = []
        if self.missing_waiting:
            parts.append(f"版本 {version} 中没有案件正在等待的环节：{'、'.join(self.missing_waiting)}")
        if self.missing_completed:
            gone = "、".join(self.missing_completed)
            parts.append(f"版本 {version} 删除了案件已办结的环节（其办理记录无法保留）：{gone}")
        return "；".join(parts)


def _label(spec) -> str:
    return getattr(spec, "bpmn_id", None) or spec.name


def _workflows(run: Run, bundle: Bundle):
    """(workflow, its spec in ``bundle`` or None) for the instance and each (called) subprocess."""
    yield run.workflow, bundle.spec
    for sub in run.workflow.subprocesses.values():
        yield sub, bundle.subprocess_specs.get(sub.spec.name)


def _is_live(task) -> bool:
    """Active, or a prediction hanging off a finished task (kept as it is by a move)."""
    if task.has_state(ACTIVE):
        return True
    parent = task.parent
    return task.has_state(PREDICTED) and parent is not None and not parent.has_state(ACTIVE | PREDICTED)


def fit(run: Run, bundle: Bundle) -> Fit:
    """Whether the instance can continue on ``bundle``: every element it waits at (and the
    call-activity chain it waits in) exists there as the same kind of element, and so does
    every step it has completed. Predictions of steps not reached yet do not count."""
    waiting: set[str] = set()
    completed: set[str] = set()
    subprocesses = run.workflow.subprocesses
    for workflow, spec in _workflows(run, bundle):
        for task in workflow.tasks.values():
            live = _is_live(task)
            if task.has_state(PREDICTED) and not live:
                continue
            new = spec.task_specs.get(task.task_spec.name) if spec is not None else None
            gone = new is None or (live and type(new) is not type(task.task_spec)) or (
                task.id in subprocesses and getattr(new, "spec", None) != task.task_spec.spec)
            if gone:
                (waiting if live else completed).add(_label(task.task_spec))
    return Fit(sorted(waiting), sorted(completed - waiting))


def plan(key: str, to_version: int | None = None) -> dict:
    """Which running instances of ``key`` can move to ``to_version`` (default: the newest)."""
    with db.session() as session:
        target = _target(session, key, to_version)
        bundle_ids = definition_service.resolve_bundle(session, target)
        new_bundle = load_bundle(session, key, bundle_ids)
        versions = dict(session.execute(select(ProcessDefinition.id, ProcessDefinition.version)
                                        .where(ProcessDefinition.key == key)).all())
        rows = session.scalars(select(ProcessInstance).where(
            ProcessInstance.process_key == key, ProcessInstance.status == "running",
            ProcessInstance.definition_id != target.id).order_by(ProcessInstance.started_at)).all()
        report = []
        for inst in rows:
            old = load_bundle(session, key, inst.bundle)
            run = Run.resume(serializer.loads(inst.state, old.spec, old.subprocess_specs), old, new_engine())
            found = fit(run, new_bundle)
            waiting = sorted({t.task_spec.bpmn_id for t in run.snapshot().ready_human.values()}
                             | {e["bpmn_id"] for e in run.waiting_events()})
            report.append({"instance_id": inst.id, "business_key": inst.business_key,
                           "from_version": versions.get(inst.definition_id), "waiting_at": waiting,
                           "can_migrate": found.can_move,
                           "missing_elements": found.missing_waiting + found.missing_completed,
                           "missing_waiting": found.missing_waiting, "missing_completed": found.missing_completed,
                           "reason": found.reason(target.version)})
    return {"process_key": key, "to_version": target.version, "instances": report}


def migrate(key: str, instance_ids: list[str], to_version: int | None, actor: str) -> dict:
    """Move each given instance that can move; report per instance."""
    if not instance_ids:
        raise ValidationFailed("name the instances to move", {"instance_ids": ["required"]})
    with db.session() as session:
        target = _target(session, key, to_version)
        bundle_ids = definition_service.resolve_bundle(session, target)
    results = []
    for instance_id in instance_ids:
        try:
            moved = with_instance(instance_id, _move(key, target, bundle_ids), actor)
        except (InstanceNotRunning, ValidationFailed) as exc:
            moved = {"instance_id": instance_id, "migrated": False, "reason": exc.detail}
        results.append(moved)
    return {"process_key": key, "to_version": target.version, "results": results}


def _move(key: str, target: ProcessDefinition, bundle_ids: list[int]):
    def action(step: Step) -> dict:
        inst = step.instance
        if inst.process_key != key:
            raise ValidationFailed(f"instance {inst.id} runs '{inst.process_key}', not '{key}'")
        if inst.status != "running":
            raise InstanceNotRunning(f"instance {inst.id} is {inst.status}")
        if inst.definition_id == target.id:
            return {"instance_id": inst.id, "migrated": False, "reason": "already on this version"}
        new_bundle = load_bundle(step.session, key, bundle_ids)
        found = fit(step.run, new_bundle)
        if not found.can_move:
            raise ValidationFailed(found.reason(target.version))  # nothing is written
        _swap_specs(step.run, new_bundle)
        _check_loads(step.run.workflow, new_bundle, target.version)
        _refresh_inbox(step, new_bundle)
        old_version = inst.definition_id
        inst.definition_id, inst.bundle = target.id, bundle_ids
        step.audit("instance.migrated", {"from_definition": old_version, "to_definition": target.id,
                                         "to_version": target.version})
        return {"instance_id": inst.id, "migrated": True}

    return action


def _swap_specs(run: Run, bundle: Bundle) -> None:
    """Point every task at the new version's spec of the same name and predict again, from the
    tasks the instance is at, the steps it has not reached (they follow the new diagram)."""
    for workflow, spec in list(_workflows(run, bundle)):
        repredict = _drop_predictions(workflow)
        for task in workflow.tasks.values():
            task.task_spec = spec.task_specs[task.task_spec.name]
        workflow.spec = spec
        for task in repredict:
            _predict_again(task)
    run.workflow.subprocess_specs = bundle.subprocess_specs
    run.bundle = bundle


def _drop_predictions(workflow) -> list:
    """Remove the predicted branches below active tasks; answers the tasks that lost them."""
    doomed = [t for t in workflow.tasks.values() if t.has_state(PREDICTED) and not t.triggered
              and t.parent is not None and t.parent.has_state(ACTIVE)]
    parents = {t.parent.id: t.parent for t in doomed}
    for task in doomed:
        workflow._remove_task(task.id)
    return list(parents.values())


def _predict_again(task) -> None:
    """Predict the steps after an active task from the new spec, as the engine predicts a
    workflow when it starts (the definite path as FUTURE, branches as LIKELY / MAYBE)."""
    task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)


def _refresh_inbox(step: Step, bundle: Bundle) -> None:
    """The waiting user tasks' inbox rows take the new version's name, form, instructions and
    roles; their deadline and assignee stay."""
    for task_id, task in step.run.snapshot().ready_human.items():
        row = step.session.get(HumanTask, task_id)
        if row is None:
            continue
        view = describe(task, bundle.lane_groups)
        row.name, row.lane, row.instructions = view.name, view.lane, view.instructions
        row.form_key, row.ui_form_key = view.form_key, view.ui_form_key
        if set(view.candidate_groups) != set(row.candidate_groups or []):
            row.candidate_groups = view.candidate_groups
            step.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task_id))
            step.session.add_all(TaskCandidate(task_id=task_id, group_name=g) for g in view.candidate_groups)


def _check_loads(workflow, bundle: Bundle, version: int) -> None:
    """The moved state must load on the new specs with every task bound to a spec."""
    try:
        loaded = serializer.loads(serializer.dumps(workflow), bundle.spec, bundle.subprocess_specs)
    except Exception as exc:  # noqa: BLE001 - any failure means: do not move
        unreadable = Message("migration.state_unreadable", version=version, error=type(exc).__name__)
        raise ValidationFailed(unreadable) from exc
    unbound = [t for wf in [loaded, *loaded.subprocesses.values()] for t in wf.tasks.values() if t.task_spec is None]
    if unbound or any(sub.spec is None for sub in loaded.subprocesses.values()):
        raise ValidationFailed(Message("migration.step_undefined", version=version))
