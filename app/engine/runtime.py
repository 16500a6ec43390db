"""Driving one SpiffWorkflow instance through a use case.

:class:`Run` wraps a loaded :class:`BpmnWorkflow` and offers the actions the services need —
start, complete a user task, apply job results, throw a BPMN error, fire timers, deliver a
message, retry a failed task — each followed by :meth:`Run.advance`, which runs engine steps
until everything waits. Failures inside scripts and expressions never escape: the failed task is
left in ERROR and reported in :attr:`Run.failures`, so the caller can commit the progress made
and open an incident. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition as BpmnErrorEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.manual_task import ManualTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from app.engine import state_changes, tree
from app.engine.bundle import Bundle
from app.engine.events import cycle_state, leaf_events
from app.engine.implicit import SUFFIX as IMPLICIT_SUFFIX
from app.engine.operators import RetryPolicy
from app.engine.script_engine import HostScriptEngine, JobRequest
from app.engine.specs import AsyncServiceTask, HostMessageEventDefinition, HostSignalEventDefinition

tree.install()  # the plain-walk refresh of waiting tasks (same tasks, same order)
state_changes.install()  # no log record built for a state change unless spiff.task keeps it

MAX_ADVANCE_ROUNDS = 50
#: a signal an instance waits for is kept as a subscription under this prefix and its name
SIGNAL_PREFIX = "signal:"
#: the outbox job that delivers a thrown message or signal to other instances and processes
DELIVER_OPERATOR = "bpmn/deliver"
#: a message whose receiver has not reached its catch event yet is tried again (2 … 16 s)
DELIVERY_RETRY = RetryPolicy(max_attempts=5, backoff_base=2.0, max_backoff=60.0)


@dataclass
class Thrown:
    """A message or signal an instance threw for other instances (see :meth:`Run.take_thrown`)."""

    kind: str  # "message" | "signal"
    name: str
    payload: Any
    task_id: str
    bpmn_id: str
    task_name: str


class TaskNotReady(Exception):
    """The task is not (or no longer) waiting for this action."""


class TaskNotFound(LookupError):
    """The workflow has no task with that id."""


@dataclass
class Failure:
    """A task that failed while the engine stepped (becomes an incident)."""

    task_id: str
    bpmn_id: str
    task_name: str
    message: str
    line_number: int = 0
    kind: str = "script_error"


@dataclass
class Snapshot:
    """What the host persists about a workflow, gathered in one pass over its tasks."""

    ready_human: dict[str, Any] = field(default_factory=dict)  # SpiffWorkflow tasks
    started_service: set[str] = field(default_factory=set)
    waiting_messages: set[str] = field(default_factory=set)
    completed: bool = False
    #: the process data (see :meth:`Run.data`)
    data: dict = field(default_factory=dict)


@dataclass
class Run:
    """One workflow being advanced inside one use case."""

    workflow: BpmnWorkflow
    bundle: Bundle
    engine: HostScriptEngine
    failures: list[Failure] = field(default_factory=list)

    # -- creating -------------------------------------------------------------------------

    @classmethod
    def start(cls, bundle: Bundle, engine: HostScriptEngine, data: dict) -> Run:
        """A new workflow whose start task carries ``data``."""
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=engine)
        start = workflow.get_next_task(state=TaskState.READY)
        if start is not None:
            start.data.update(data)
        run = cls(workflow, bundle, engine)
        return run

    @classmethod
    def resume(cls, workflow: BpmnWorkflow, bundle: Bundle, engine: HostScriptEngine) -> Run:
        """Wrap a workflow loaded from storage."""
        workflow.script_engine = engine
        return cls(workflow, bundle, engine)

    # -- stepping -------------------------------------------------------------------------

    def advance(self) -> None:
        """Run engine steps until every branch waits, fails or ends."""
        for _ in range(MAX_ADVANCE_ROUNDS):
            try:
                self.workflow.do_engine_steps()
                self.workflow.refresh_timers()
                if not self._ready_engine_tasks():
                    return
            except SpiffWorkflowException as exc:
                self._record_failure(exc)
            except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError) as exc:
                # a task spec fed data it cannot use (say a multi-instance collection that is None):
                # that task fails like a script does, instead of the whole request
                task = _task_in_traceback(exc)
                if task is None:
                    raise
                self._record_failure(WorkflowTaskException(f"{type(exc).__name__}: {exc}", task=task, exception=exc))
        raise RuntimeError("the workflow did not settle; is there an endless loop of script tasks?")

    def _ready_engine_tasks(self) -> list:
        return [t for t in self.workflow.get_tasks(state=TaskState.READY) if not t.task_spec.manual]

    def _record_failure(self, exc: SpiffWorkflowException) -> None:
        task = getattr(exc, "task", None)
        if task is None:
            errored = self.workflow.get_tasks(state=TaskState.ERROR)
            task = errored[-1] if errored else None
        if task is not None and not task.has_state(TaskState.ERROR):
            task._set_state(TaskState.ERROR)
        message = str(exc)
        notes = getattr(exc, "notes", None) or getattr(exc, "__notes__", None)
        if notes:
            message = f"{message} ({'; '.join(notes)})"
        self.failures.append(
            Failure(
                task_id=str(task.id) if task else "",
                bpmn_id=getattr(task.task_spec, "bpmn_id", "") or "" if task else "",
                task_name=(getattr(task.task_spec, "bpmn_name", None) or "") if task else "",
                message=message,
                line_number=int(getattr(exc, "line_number", 0) or 0),
            )
        )
        if task is None:
            raise RuntimeError(message) from exc

    # -- actions --------------------------------------------------------------------------

    def get_task(self, task_id: str):
        """The task with that id, in the workflow or any subprocess."""
        from uuid import UUID

        try:
            task = self.workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, KeyError, TypeError):
            task = None
        if task is None:
            raise TaskNotFound(task_id)
        return task

    def complete_user_task(self, task_id: str, data: dict) -> None:
        """Merge ``data`` into a READY user/manual task and complete it."""
        task = self.get_task(task_id)
        if not task.has_state(TaskState.READY) or not task.task_spec.manual:
            raise TaskNotReady(f"task {task_id} is {TaskState.get_name(task.state)}")
        task.data.update(data)
        self._complete(task)

    def awaits_job(self, task_id: str) -> bool:
        """True while the service task still waits for its job's outcome."""
        try:
            task = self.get_task(task_id)
        except TaskNotFound:
            return False
        return task.has_state(TaskState.STARTED) and isinstance(task.task_spec, AsyncServiceTask)

    def apply_job_result(self, task_id: str, result_variable: str, result: Any) -> bool:
        """Store a job's result and complete its service task. False if the task moved on."""
        task = self.get_task(task_id)
        if not task.has_state(TaskState.STARTED) or not isinstance(task.task_spec, AsyncServiceTask):
            return False
        task.data[result_variable] = result
        self._complete(task)
        return True

    def _complete(self, task) -> None:
        try:
            task.complete()
        except SpiffWorkflowException as exc:
            self._record_failure(exc)

    def throw_error(self, task_id: str, code: str, message: str) -> bool:
        """Throw a BPMN error from a task to the nearest matching error boundary event.

        Returns False when no boundary event on the task or its enclosing (sub)processes
        catches ``code``; the caller then opens an incident.
        """
        task = self.get_task(task_id)
        event = BpmnEvent(ErrorEventDefinition(code, code=code), payload={"code": code, "message": message})
        current = task
        while current is not None:
            for boundary in _boundary_siblings(current):
                if boundary.task_spec.event_definition.catches(boundary, event):
                    boundary.task_spec.catch(boundary, event)
                    boundary.task_spec._update(boundary)
                    return True
            parent_id = current.workflow.parent_task_id
            current = self.workflow.get_task_from_id(parent_id) if parent_id else None
        return False

    def fire_due_timers(self) -> None:
        """Let every timer whose time has come fire."""
        self.workflow.refresh_timers()

    def expire_timers(self, bpmn_ids: list[str] | None = None) -> int:
        """Make waiting timers due now and let them fire; returns how many there were.

        ``bpmn_ids`` limits this to the timers with those ids (a scenario firing the end of a
        publication period but not a task's deadline); ``None`` means every timer.
        """
        past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
        count = 0
        for task in list(self.workflow.event_manager.tasks.values()):
            if bpmn_ids is not None and task.task_spec.bpmn_id not in bpmn_ids:
                continue
            timers = [e for e in leaf_events(task.task_spec.event_definition) if isinstance(e, TimerEventDefinition)]
            if timers and task.has_state(TaskState.WAITING):
                value = task._get_internal_data("event_value")
                cycle = next((e for e in timers if isinstance(e, CycleTimerEventDefinition)), None)
                if value is None and cycle is not None:
                    value = cycle_state(task, cycle)
                if isinstance(value, dict):  # a cycle: its next occurrence is now (once), the count goes on
                    value["next"] = (datetime.now(UTC) - timedelta(milliseconds=1)).isoformat()
                    task._set_internal_data(event_value=value)
                else:
                    task._set_internal_data(event_value=past)
                count += 1
        self.workflow.refresh_timers()
        return count

    def fire_start_timer(self) -> bool:
        """Fire a waiting timer start event once (the scheduler starts one instance per firing)."""
        for task in list(self.workflow.event_manager.tasks.values()):
            spec = task.task_spec
            if isinstance(spec, StartEvent) and isinstance(spec.event_definition, TimerEventDefinition):
                task._set_internal_data(event_fired=True)
                spec._update(task)
                return True
        return False

    def deliver_message(self, name: str, payload: dict) -> bool:
        """Deliver a message to every task waiting for ``name``. False if none waits."""
        event = BpmnEvent(HostMessageEventDefinition(name), payload=payload)
        waiting = [
            t for t in self.workflow.event_manager.tasks.values()
            if any(isinstance(e, MessageEventDefinition) and e.name == name
                   for e in leaf_events(t.task_spec.event_definition))
        ]
        if not waiting:
            return False
        self.workflow.catch(event)
        return True

    def deliver_signal(self, name: str, payload: Any = None) -> bool:
        """Deliver a signal thrown elsewhere to every task waiting for it. False if none waits."""
        event = BpmnEvent(HostSignalEventDefinition(name), payload=payload)
        return self.workflow.event_manager.catch(event, internal=False) > 0  # not thrown again

    def take_thrown(self) -> list[Thrown]:
        """Messages no task of this instance caught and every signal, thrown since the last call
        (SpiffWorkflow's ``bpmn_events``; other uncaught events are dropped, as before)."""
        events, self.workflow.bpmn_events = self.workflow.bpmn_events, []
        out = []
        for event in events:
            definition = event.event_definition
            kind = "signal" if isinstance(definition, HostSignalEventDefinition) else (
                "message" if isinstance(definition, MessageEventDefinition) else None)
            source = getattr(event, "thrown_by", None)
            if kind is None or source is None:
                continue
            out.append(Thrown(kind, definition.name, event.payload, **source))
        return out

    def retry_task(self, task_id: str) -> None:
        """Put a failed task back in line: its update hooks and run happen again."""
        task = self.get_task(task_id)
        if task.has_state(TaskState.ERROR):
            task._set_state(TaskState.FUTURE)
            try:
                task.task_spec._update(task)
            except SpiffWorkflowException as exc:
                self._record_failure(exc)

    # -- reading --------------------------------------------------------------------------

    def take_job_requests(self) -> list[JobRequest]:
        """The service-task calls requested since the last call."""
        requests, self.engine.job_requests = self.engine.job_requests, []
        return requests

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    def snapshot(self) -> Snapshot:
        """Ready human tasks, waiting service tasks and messages, and completion, in one pass."""
        snap = Snapshot(completed=self.workflow.is_completed())
        latest = None
        for task in self.workflow.get_tasks(state=TaskState.READY | TaskState.STARTED | TaskState.WAITING):
            spec = task.task_spec
            if task.state == TaskState.READY and isinstance(spec, (UserTask, ManualTask)):
                snap.ready_human[str(task.id)] = task
            elif task.state == TaskState.STARTED and isinstance(spec, AsyncServiceTask):
                snap.started_service.add(str(task.id))
            if task.workflow is self.workflow and (latest is None or task.last_state_change > latest.last_state_change):
                latest = task
        snap.data = self._data(latest)
        for task in self.workflow.event_manager.tasks.values():
            if task.has_state(TaskState.WAITING):
                for e in leaf_events(task.task_spec.event_definition):
                    if isinstance(e, MessageEventDefinition):
                        snap.waiting_messages.add(e.name)
                    elif isinstance(e, HostSignalEventDefinition):
                        snap.waiting_messages.add(SIGNAL_PREFIX + e.name)
        return snap

    def ready_human_tasks(self) -> list:
        """READY user and manual tasks, in the workflow and every subprocess."""
        return list(self.snapshot().ready_human.values())

    def started_service_task_ids(self) -> set[str]:
        """Ids of service tasks still waiting for their job."""
        return self.snapshot().started_service

    def waiting_events(self) -> list[dict]:
        """Timers and messages the workflow waits for, with due times for timers (one row per
        event, so an event-based gateway waiting for a reply or a deadline gives two)."""
        out = []
        for task in self.workflow.event_manager.tasks.values():
            spec = task.task_spec
            if not isinstance(spec, CatchingEvent) or not task.has_state(TaskState.WAITING):
                continue
            for event in leaf_events(spec.event_definition):
                kind = "timer" if isinstance(event, TimerEventDefinition) else (
                    "message" if isinstance(event, MessageEventDefinition) else (
                        "signal" if isinstance(event, HostSignalEventDefinition) else type(event).__name__))
                due = _parse_due(event.details(task).value) if kind == "timer" else None
                out.append({
                    "task_id": str(task.id),
                    "bpmn_id": spec.bpmn_id,
                    "name": spec.bpmn_name or event.name,
                    "type": kind,
                    "event_name": event.name,
                    "due_at": due.isoformat() if due else None,
                })
        return out

    def next_timer_due(self) -> datetime | None:
        """The earliest due time among waiting timers."""
        parsed = (_parse_due(e["due_at"]) for e in self.waiting_events() if e["due_at"])
        dues = [d for d in parsed if d is not None]
        return min(dues) if dues else None

    def data(self) -> dict:
        """The process data: of the most recently changed open task of the top-level process,
        or, once completed, of the last completed task."""
        return self.snapshot().data

    def _data(self, latest_open) -> dict:
        if self.workflow.is_completed():
            end = self.workflow.last_task
            return dict(end.data) if end is not None else dict(self.workflow.data)
        if latest_open is not None:
            return dict(latest_open.data)
        return dict(self.workflow.data)

    def completed_nodes(self) -> list[dict]:
        """Completed flow nodes that appear on the diagram, in completion order."""
        nodes = []
        for task in self.workflow.get_tasks(state=TaskState.COMPLETED):
            spec = task.task_spec
            if not getattr(spec, "bpmn_id", None) or isinstance(spec, BoundaryEventSplit) \
                    or spec.bpmn_id.endswith(IMPLICIT_SUFFIX):  # not on the diagram
                continue
            nodes.append({
                "task_id": str(task.id),
                "bpmn_id": spec.bpmn_id,
                "name": spec.bpmn_name or "",
                "type": _bpmn_type(spec),
                "process": task.workflow.spec.name,
                "completed_at": datetime.fromtimestamp(task.last_state_change, UTC).isoformat(),
                "_ts": task.last_state_change,
            })
        nodes.sort(key=lambda n: n["_ts"])
        for n in nodes:
            del n["_ts"]
        return nodes


def _boundary_siblings(task) -> list:
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return []
    return [
        c for c in parent.children
        if c is not task and isinstance(c.task_spec, CatchingEvent)
        and isinstance(c.task_spec.event_definition, BpmnErrorEventDefinition)
        and c.has_state(TaskState.WAITING)
    ]


def _parse_due(value: Any) -> datetime | None:
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def _bpmn_type(spec) -> str:
    name = type(spec).__name__
    for suffix in ("MultiInstanceTask",):
        if name.endswith(suffix):
            return "multiInstance"
    if name == "AsyncServiceTask":
        return "serviceTask"
    return name[0].lower() + name[1:]



def _task_in_traceback(exc: BaseException) -> Task | None:
    """The innermost workflow task whose step raised ``exc`` (None when no task was running)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        local = tb.tb_frame.f_locals
        for name in ("my_task", "task", "self"):
            if isinstance(local.get(name), Task):
                found = local[name]
                break
        tb = tb.tb_next
    return found
