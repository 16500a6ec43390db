"""SpiffWorkflow's script engine, running everything through :mod:`app.engine.bounded`.

The engine also collects, while the workflow steps, the service-task calls it must hand to the
job runner (``job_requests``): a service task never calls out from inside the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from app.engine.bounded import BoundedSandbox, Limits
from app.engine.sandbox import ScriptError, compile_check


@dataclass
class JobRequest:
    """A service task that has started and waits for its operator to run on a worker."""

    task_id: str
    bpmn_id: str
    task_name: str
    operator: str
    params: dict
    result_variable: str


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates and executes through a :class:`~app.engine.bounded.BoundedSandbox`."""

    def __init__(self, sandbox: BoundedSandbox):
        super().__init__({})
        self.sandbox = sandbox

    def evaluate(self, expression: str, context: Mapping, external_context: Mapping | None = None) -> Any:
        return self.sandbox.evaluate(expression, context, external_context)

    def execute(self, script: str, context: dict, external_context: Mapping | None = None) -> bool:
        self.sandbox.execute(script or "", context, external_context)
        return True

    def call_service(self, context: Mapping, **kwargs: Any) -> str:  # pragma: no cover - never used
        raise RuntimeError("service tasks run asynchronously through the job runner")


class HostScriptEngine(PythonScriptEngine):
    """A script engine bound to one use case: it records the jobs the workflow asks for."""

    def __init__(self, sandbox: BoundedSandbox):
        super().__init__(environment=SandboxEnvironment(sandbox))
        self.sandbox = sandbox
        self.job_requests: list[JobRequest] = []
        self.decisions: list = []

    def validate(self, expression: str) -> None:
        """Raise ``SyntaxError`` if the expression would not compile in the sandbox."""
        try:
            compile_check(expression, "eval")
        except ScriptError as exc:
            raise SyntaxError(str(exc)) from exc

    def evaluate(self, task, expression, external_context=None):
        try:
            return super().evaluate(task, expression, external_context)
        except WorkflowTaskException as exc:
            _copy_line(exc)
            raise

    def execute(self, task, script, external_context=None):
        try:
            return super().execute(task, script, external_context)
        except WorkflowTaskException as exc:
            _copy_line(exc)
            raise

    def request_job(self, request: JobRequest) -> None:
        """Called by an async service task as it starts."""
        self.job_requests.append(request)

    def record_decision(self, record) -> None:
        """Called by a business rule task after its table decided."""
        self.decisions.append(record)


def _copy_line(exc: WorkflowTaskException) -> None:
    inner = exc.__cause__ or exc.__context__  # SpiffWorkflow raises its wrapper inside ``except``
    line = getattr(inner, "line_number", 0)  # ScriptError, or an error rebuilt from an evaluator
    if line and not getattr(exc, "line_number", 0):
        exc.line_number = line
    if isinstance(inner, ScriptError) and str(inner) not in str(exc):  # say why, not just where
        exc.add_note(str(inner))


def make_script_engine(limits: Limits | float, functions: Mapping[str, Callable] | None = None) -> HostScriptEngine:
    """A fresh script engine for one use case (``limits`` or just a time limit in seconds)."""
    if not isinstance(limits, Limits):
        limits = Limits(timeout=float(limits))
    return HostScriptEngine(BoundedSandbox(limits, functions))
