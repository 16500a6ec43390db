"""Reading where a stalled workflow stopped, and putting it back in motion.

An instance that waits on nothing — no ready human task, no job, no timer, no message — has
lost its way: a multi-instance task whose children finished without being merged (specs that
missed SpiffWorkflow's merge callback), or projections (inbox rows, jobs) that went missing.
:func:`stopped_at` names the element it stopped at; :func:`repair` merges what was left
unmerged and asks again for the jobs of service tasks that wait without one. The caller
(:mod:`app.services.incident_service`) re-creates the inbox rows and advances the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
    LoopTask,
    MultiInstanceTask,
    ParallelMultiInstanceTask,
)
from SpiffWorkflow.util.task import TaskState

from app.engine.runtime import Run
from app.engine.specs import AsyncServiceTask

OPEN = TaskState.READY | TaskState.STARTED | TaskState.WAITING


@dataclass
class StoppedAt:
    """The open diagram element a workflow stopped at (empty when there is none)."""

    task_id: str = ""
    bpmn_id: str = ""
    name: str = ""
    state: str = ""


def stopped_at(run: Run) -> StoppedAt:
    """The most recently changed open task that appears on a diagram (subprocesses included)."""
    candidates = [t for t in run.workflow.get_tasks(state=OPEN) if getattr(t.task_spec, "bpmn_id", None)]
    if not candidates:
        return StoppedAt()
    task = max(candidates, key=lambda t: (t.last_state_change, t.depth))
    spec = task.task_spec
    name = spec.bpmn_name
    if not name and isinstance(spec, LoopTask):  # the name is on the instances' spec
        name = getattr(task.workflow.spec.task_specs.get(spec.task_spec), "bpmn_name", None)
    return StoppedAt(str(task.id), spec.bpmn_id, name or spec.bpmn_id, TaskState.get_name(task.state))


@dataclass
class Repair:
    """What :func:`repair` did."""

    merged: list[str] = field(default_factory=list)
    #: ids of service tasks whose job was requested again
    requested: list[str] = field(default_factory=list)


def repair(run: Run, tasks_with_jobs: set[str]) -> Repair:
    """Merge finished, unmerged instances into their loop / multi-instance task, and request
    a job for every STARTED service task not in ``tasks_with_jobs`` (those that have a job row
    are the caller's to queue again). Then advance."""
    done = Repair()
    for parent in run.workflow.get_tasks(state=TaskState.STARTED):
        if isinstance(parent.task_spec, LoopTask):
            done.merged.extend(_merge_unmerged(parent))
    for task in run.workflow.get_tasks(state=TaskState.STARTED):
        if isinstance(task.task_spec, AsyncServiceTask) and str(task.id) not in tasks_with_jobs:
            task.task_spec._execute(task)
            done.requested.append(str(task.id))
    run.advance()
    return done


def _merge_unmerged(parent) -> list[str]:
    """Merge a loop task's completed, unmerged instances as SpiffWorkflow would have, one by one."""
    spec = parent.task_spec
    merged = parent.internal_data.setdefault("merged", [])
    unmerged = [c for c in spec._instances(parent) if c.has_state(TaskState.COMPLETED) and str(c.id) not in merged]
    out = []
    for child in unmerged:
        if not parent.has_state(TaskState.STARTED):
            break  # the completion condition ended it
        out.append(str(child.id))
        if not isinstance(spec, ParallelMultiInstanceTask):
            spec.merge_child(child.workflow, child)  # sequential: merges and starts the next one
            continue
        # parallel: ParallelMultiInstanceTask.merge_child ends the task once every instance is
        # complete — here they all are, so merge the data of each before judging completion
        MultiInstanceTask.merge_child(spec, child.workflow, child)
        if spec.check_completion_condition(parent):
            for instance in spec._instances(parent):
                instance.cancel()
            parent._set_state(TaskState.READY)
    if parent.has_state(TaskState.STARTED) and isinstance(spec, ParallelMultiInstanceTask) \
            and spec.children_complete(parent):
        parent._set_state(TaskState.READY)
    return out
