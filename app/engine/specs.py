"""Task specs the host uses in place of SpiffWorkflow's defaults.

* :class:`AsyncServiceTask`: a service task evaluates its parameters in the sandbox, asks the
  script engine for a job and stays STARTED; the job's result completes it later.
* :class:`HostMessageEventDefinition`: a caught message without a ``messageVariable`` merges its
  payload into the task data (SpiffArena would drop it); a thrown message no task of its own
  instance catches is kept (with the task that threw it) for the host to deliver to other
  instances and processes.
* :class:`HostSignalEventDefinition`: a thrown signal is caught inside its instance as
  SpiffWorkflow does and also kept for the host, which broadcasts it to every other instance and
  process (BPMN 2.0.2 §10.5.4: a signal reaches every catcher, across processes).
* :class:`HostParallelMultiInstanceTask`: the completion condition sees what the instances have
  produced so far — the output collection and ``nrOfInstances`` / ``nrOfCompletedInstances`` /
  ``nrOfActiveInstances`` as BPMN names them — not only the last instance's own data, so a
  countersign can end as soon as n of m departments approve.
* :class:`RearmingBoundaryEvent`: a non-interrupting boundary event stays armed while its activity
  runs, as BPMN says — each objection filed during a 公示 opens its own investigation —
  where SpiffWorkflow lets it fire once.
* :class:`HostParallelGateway`: a parallel join decides exactly as SpiffWorkflow's does, but finds
  the join's tasks with a plain walk of the task tree (:mod:`app.engine.tree`: the same tasks in
  the same order) and tells ancestors from descendants with one walk up per check instead of
  one per task. A join is re-checked after every task completion anywhere in its workflow, so
  with many branches (the 14 checks of a verification) its check was a fifth of a worker's CPU.
* :class:`StartCycleTimerEventDefinition`: a cycle on a timer start event is kept by the
  scheduler (a ``start_timer`` row starts one instance per occurrence); inside the instance
  the start event fires only when the scheduler fires it, instead of SpiffWorkflow replaying
  every occurrence since the cycle's start date in each new instance.

:func:`link_like_the_serializer` attaches to a parsed spec the behaviour SpiffWorkflow keeps
outside a spec's data (callbacks on task-spec events), exactly as its serializer does when it
restores a spec, so a spec built here and cached behaves the same in every process.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, ParallelGateway
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.specs.defaults import ParallelMultiInstanceTask, ServiceTask
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition, SignalEventDefinition
from SpiffWorkflow.util.task import TaskState

from app.engine.script_engine import JobRequest
from app.engine.tree import tasks_of_spec, tasks_of_spec_any_order


class AsyncServiceTask(ServiceTask):
    """A service task whose operator runs on a worker, not inside the engine."""

    def _execute(self, task):
        engine = task.workflow.script_engine
        params = {name: engine.evaluate(task, p["value"]) for name, p in self.operation_params.items()}
        engine.request_job(
            JobRequest(
                task_id=str(task.id),
                bpmn_id=self.bpmn_id,
                task_name=self.bpmn_name or self.bpmn_id,
                operator=self.operation_name,
                params=params,
                result_variable=self.result_variable,
            )
        )
        return None  # STARTED: the job runner completes it


class HostMessageEventDefinition(MessageEventDefinition):
    """Message events whose payload lands in the data even without ``messageVariable``."""

    def throw(self, my_task):
        payload, correlations = {}, {}
        if self.expression is not None:
            payload = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            correlations = self.get_correlations(my_task, payload)
        event = BpmnEvent(self, payload=payload, correlations=correlations)
        event.thrown_by = _thrown_by(my_task)
        my_task.workflow.correlations.update(correlations)
        my_task.workflow.top_workflow.catch(event)  # not caught here: kept in ``bpmn_events``

    def update_task_data(self, my_task):
        if self.message_var is not None:
            super().update_task_data(my_task)
            return
        payload = my_task.internal_data.pop(self.name, None)
        if isinstance(payload, dict):
            my_task.data.update(payload)


def _thrown_by(my_task) -> dict:
    """What the host needs of the task that threw an event (kept on the event, never serialised)."""
    spec = my_task.task_spec
    return {"task_id": str(my_task.id), "bpmn_id": spec.bpmn_id or spec.name,
            "task_name": spec.bpmn_name or spec.bpmn_id or spec.name}


class HostSignalEventDefinition(SignalEventDefinition):
    """A signal: caught in its own instance as usual, and always kept for the other instances."""

    def throw(self, my_task):
        payload = None
        if self.expression is not None:
            payload = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        event = BpmnEvent(self, payload=payload)
        event.thrown_by = _thrown_by(my_task)
        top = my_task.workflow.top_workflow
        if top.event_manager.catch(event):  # caught here: the host still broadcasts it
            top.bpmn_events.append(event)


class HostParallelMultiInstanceTask(ParallelMultiInstanceTask):
    """A parallel multi-instance task whose completion condition can count the instances."""

    def check_completion_condition(self, my_task):
        merged = my_task.internal_data.get("merged", [])
        if not merged or self.condition is None:
            return False
        children = list(self._instances(my_task))
        last = next(c for c in children if str(c.id) == merged[-1])
        context = dict(last.data)
        if self.data_output is not None and self.data_output.exists(my_task):
            context[self.data_output.bpmn_id] = self.data_output.get(my_task)
        context.update(
            nrOfInstances=len(children),
            nrOfCompletedInstances=len(merged),
            nrOfActiveInstances=len([c for c in children if not c.has_state(TaskState.FINISHED_MASK)]),
        )
        return my_task.workflow.script_engine.evaluate(_WithData(last, context), self.condition)


class _WithData:
    """A task seen with other data (errors still name the real task)."""

    def __init__(self, task, data: dict):
        self._task = task
        self.data = data

    def __getattr__(self, name):
        return getattr(self._task, name)


class StartCycleTimerEventDefinition(CycleTimerEventDefinition):
    """A start event's cycle: only :meth:`app.engine.runtime.Run.fire_start_timer` fires it, once."""

    def cycle_complete(self, my_task):
        return False

    def has_fired(self, my_task):
        fired = super().has_fired(my_task)
        if fired and not my_task._get_internal_data("path_started"):
            my_task._set_internal_data(path_started=True)
            self.update_task_with_children(my_task)
        return fired

    def update_task_with_children(self, my_task):
        for output in my_task.task_spec.outputs:
            child = my_task._add_child(output, TaskState.FUTURE)
            child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
            child.task_spec._update(child)


class RearmingBoundaryEvent(BoundaryEvent):
    """A non-interrupting boundary event that waits again after it fires."""

    def _run_hook(self, my_task):
        result = super()._run_hook(my_task)
        split = my_task.parent
        main = next((t for t in split.children if not isinstance(t.task_spec, BoundaryEvent)), None)
        if main is not None and not main.has_state(TaskState.FINISHED_MASK):
            again = split._add_child(self, TaskState.WAITING)
            self._predict(again, mask=TaskState.NOT_FINISHED_MASK)  # the path it will take
            self._update(again)  # registers it with the event manager
        return result


def link_like_the_serializer(spec) -> None:
    """Connect what SpiffWorkflow's serializer connects when it restores a process spec.

    A loop or multi-instance task merges each finished child (its data, its output item, the
    ``merged`` list its completion depends on) through ``merge_child``, a callback on the child
    spec's ``completed_event``. The serializer connects it whenever it restores a spec
    (``BpmnProcessSpecConverter.from_dict``); at run time SpiffWorkflow connects it only when a
    task expands its children, in the process that expanded them. The host parses specs and keeps
    them in a per-process cache, never through the serializer, so without this a process that
    had not itself expanded a countersign would complete its children without merging them and
    the parent would wait forever. Idempotent: a callback is connected at most once.

    The other runtime links are already there or live on the workflow, not the spec: an
    ad-hoc subprocess's ``path_complete`` is connected by the parser (``create_paths``), and a
    call activity's ``_on_subworkflow_completed`` hangs on the subworkflow object, which
    :mod:`app.engine.serializer` restores with SpiffWorkflow's own converter.
    """
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, LoopTask):
            continue
        child = spec.task_specs.get(task_spec.task_spec)
        if child is None:
            raise ValueError(f"{task_spec.name}: its instance spec {task_spec.task_spec!r} is missing")
        if not child.completed_event.is_connected(task_spec.merge_child):
            child.completed_event.connect(task_spec.merge_child)


class HostParallelGateway(ParallelGateway):
    """A parallel gateway whose join check walks the task tree directly (see the module notes)."""

    def _check_threshold_unstructured(self, my_task):
        tasks = tasks_of_spec_any_order(my_task.workflow, self.name)  # get_tasks(spec_name=…) but for the order
        waiting_inputs = set(self.inputs)

        def remove_ancestor(task):
            # the nearest ancestor whose spec is an input still waited for
            while task is not None:
                if task.task_spec in waiting_inputs:
                    waiting_inputs.remove(task.task_spec)
                    return
                task = task.parent

        ancestors = set()  # my_task.is_descendant_of(t) ⇔ t in ancestors
        parent = my_task.parent
        while parent is not None:
            ancestors.add(parent)
            parent = parent.parent
        below = {my_task: True}  # t → whether t is my_task or lies below it (walked once)

        def is_below_my_task(task):  # task.is_descendant_of(my_task): bool
            path, node, found = [], task.parent, False
            while node is not None:
                if node in below:
                    found = below[node]
                    break
                path.append(node)
                node = node.parent
            for node in path:
                below[node] = found
            return found

        # Only a task below my_task (a later iteration of a loop) makes the order matter: which
        # input it accounts for depends on those already accounted for. Without one, each task
        # removes its own parent's spec or nothing, in any order, and the tree need not be walked.
        if any(is_below_my_task(task) for task in tasks):
            tasks = tasks_of_spec(my_task.workflow, self.name)  # in the iterator's order
        for task in tasks:
            if is_below_my_task(task):  # a later iteration of a loop through this join
                remove_ancestor(task)
            elif task in ancestors:  # an earlier iteration: its inputs do not count
                continue
            elif task.parent.state == TaskState.COMPLETED and task.parent.task_spec in waiting_inputs:
                waiting_inputs.remove(task.parent.task_spec)
        return not waiting_inputs

