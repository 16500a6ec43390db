"""Moving running instances to a newer version of their process.

Instances keep the version they started on. Policy staff may move instances that are waiting
somewhere to a newer version: an instance can move when every element it has reached (done,
waiting or ready) still exists, by BPMN id, in the new version's diagrams — otherwise the report
names the elements that are missing. A moved instance continues on the new diagrams from where
it waits; timers already waiting keep their due time.
"""

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from app.engine import serializer
from app.engine.bundle import Bundle
from app.engine.runtime import Run
from app.models import ProcessDefinition, ProcessInstance
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


def missing_elements(run: Run, bundle: Bundle) -> list[str]:
    """BPMN ids the instance has reached that the new bundle does not have."""
    missing: set[str] = set()

    def check(workflow, spec) -> None:
        if spec is None:
            missing.add(workflow.spec.name)
            return
        for task in workflow.tasks.values():
            if task.task_spec.name not in spec.task_specs:
                missing.add(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)

    check(run.workflow, bundle.spec)
    for sub in run.workflow.subprocesses.values():
        check(sub, bundle.subprocess_specs.get(sub.spec.name))
    return sorted(missing)


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
            missing = missing_elements(run, new_bundle)
            waiting = sorted({t.task_spec.bpmn_id for t in run.snapshot().ready_human.values()}
                             | {e["bpmn_id"] for e in run.waiting_events()})
            report.append({"instance_id": inst.id, "business_key": inst.business_key,
                           "from_version": versions.get(inst.definition_id), "waiting_at": waiting,
                           "can_migrate": not missing, "missing_elements": missing})
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
        missing = missing_elements(step.run, new_bundle)
        if missing:
            return {"instance_id": inst.id, "migrated": False,
                    "reason": f"elements missing in version {target.version}: {', '.join(missing)}"}
        _swap_specs(step.run, new_bundle)
        old_version = inst.definition_id
        inst.definition_id, inst.bundle = target.id, bundle_ids
        step.audit("instance.migrated", {"from_definition": old_version, "to_definition": target.id,
                                         "to_version": target.version})
        return {"instance_id": inst.id, "migrated": True}

    return action


def _swap_specs(run: Run, bundle: Bundle) -> None:
    workflow = run.workflow
    for task in workflow.tasks.values():
        task.task_spec = bundle.spec.task_specs[task.task_spec.name]
    workflow.spec = bundle.spec
    workflow.subprocess_specs = bundle.subprocess_specs
    for sub in workflow.subprocesses.values():
        spec = bundle.subprocess_specs[sub.spec.name]
        for task in sub.tasks.values():
            task.task_spec = spec.task_specs[task.task_spec.name]
        sub.spec = spec
    run.bundle = bundle
