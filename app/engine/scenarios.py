"""Scenario runs: a process driven end to end without a database, on stubbed operator answers.

A scenario is a plain dict (JSON next to each diagram in ``processes/``)::

    {"name": "over_income_rejected",
     "process": "gongzufang_application",
     "data": {...start data...},
     "operators": {"hukou/check": {"result": {...}},          # every call answers this
                   "tax/check": {"results": [{...}, {...}]},   # one answer per call, in order
                   "real_estate/check": {"error": "SourceUnavailable"}},
     "steps": [{"complete": "acceptance", "data": {"decision": "accept"}},
               {"message": "supplement_submitted", "payload": {...}},
               {"timers": ["publication_period"]},             # or "timers": true for all
               {"set": {"countersign_required": 2}},           # change the ready tasks' data
               {"expect": {"ready": ["preliminary_review"]}}],
     "expect": {"completed": true, "path": ["acceptance", "preliminary_review"],
                "data": {"outcome": {"status": "rejected"}}}}

Operators a scenario does not stub run for real if they are handlers (``kind == "handler"``),
on a context marked ``dry_run`` so they compute but write nothing; an unstubbed connector is a
failure. After every step the workflow is serialised and loaded again, as the database would.

``path`` is matched as an ordered subsequence of the completed steps, those compaction cut from
the stored state included (parallel branches finish in any order); ``path_excludes`` lists ids
that must not appear; ``data`` is a subset match (dicts recursively, lists element by element);
``ready`` lists the bpmn ids of the ready human tasks (as a set).

A scenario may ``include`` JSON files (relative to its own file) holding shared ``data`` and
``operators`` — the recorded answers of a sample household, the receipts of outbound systems;
:func:`load_scenarios` merges them in, the scenario's own keys winning.

The modeler calls :func:`run_scenario` with the documents being edited, so policy staff can
test a redrawn diagram on sample cases before deploying it.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.engine import serializer
from app.engine.bundle import Bundle, compile_bundle
from app.engine.operators import OperatorContext, OperatorError, OperatorRegistry, registry
from app.engine.parser import Document
from app.engine.runtime import Run
from app.engine.sandbox import to_json_value
from app.engine.script_engine import make_script_engine
from app.engine.script_functions import SCRIPT_FUNCTIONS

MAX_JOB_ROUNDS = 200


class ScenarioError(Exception):
    """The scenario cannot go on (a step names a task that is not ready, a stub is missing …)."""


@dataclass
class ScenarioResult:
    """What a scenario run did and whether it matched its expectations."""

    name: str
    passed: bool
    path: list[str]
    data: dict
    failures: list[str] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)
    completed: bool = False
    calls: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-ready view (for the modeler)."""
        return {"name": self.name, "passed": self.passed, "path": self.path, "data": self.data,
                "failures": self.failures, "ready": self.ready, "completed": self.completed,
                "calls": self.calls}


class _Driver:
    """Runs one scenario: answers jobs, performs steps, checks expectations."""

    def __init__(self, bundle: Bundle, scenario: dict, operators: OperatorRegistry, timeout: float):
        self.bundle = bundle
        self.scenario = scenario
        self.operators = operators
        self.timeout = timeout
        self.stubs = copy.deepcopy(scenario.get("operators") or {})
        self.calls: list[dict] = []
        self.failures: list[str] = []
        #: history entries of the steps cut from the stored state by compaction
        self.archived: list[dict] = []
        self.run = Run.start(bundle, self._engine(), copy.deepcopy(scenario.get("data") or {}))

    def _engine(self):
        return make_script_engine(self.timeout, SCRIPT_FUNCTIONS)

    # -- stepping -------------------------------------------------------------------------

    def settle(self) -> None:
        """Advance, answering every job, until only people, timers and messages are awaited."""
        for _ in range(MAX_JOB_ROUNDS):
            self.run.advance()
            self._collect_engine_failures()
            requests = self.run.take_job_requests()
            if not requests:
                break
            for request in requests:
                self._answer(request)
        else:
            raise ScenarioError("service tasks kept asking for jobs: is there an endless loop?")
        self._round_trip()

    def _round_trip(self) -> None:
        text, archive = serializer.dumps_live(self.run.workflow)  # stored as an instance row is
        self.archived.extend(archive.nodes)
        workflow = serializer.loads(text, self.bundle.spec, self.bundle.subprocess_specs)
        self.run = Run.resume(workflow, self.bundle, self._engine())

    def _collect_engine_failures(self) -> None:
        for failure in self.run.failures:
            self.failures.append(f"{failure.bpmn_id} ({failure.task_name}): {failure.message}")
        self.run.failures.clear()

    def _answer(self, request) -> None:
        call = {"bpmn_id": request.bpmn_id, "operator": request.operator, "params": request.params}
        self.calls.append(call)
        try:
            result = self._result_for(request)
        except OperatorError as exc:
            call["error"] = exc.code
            if not self.run.throw_error(request.task_id, exc.code, exc.message):
                self.failures.append(f"{request.bpmn_id}: {request.operator} failed with {exc.code} "
                                     f"and no boundary event caught it: {exc.message}")
            return
        self.run.apply_job_result(request.task_id, request.result_variable, result)

    def _result_for(self, request) -> Any:
        stub = self.stubs.get(request.operator)
        if stub is not None:
            return _stubbed(request.operator, stub)
        if request.operator not in self.operators:
            raise ScenarioError(f"{request.bpmn_id}: unknown operator {request.operator!r}")
        op = self.operators.get(request.operator)
        if op.kind != "handler":
            raise ScenarioError(f"{request.bpmn_id}: no answer stubbed for {request.operator}")
        data = self.run.data()
        ctx = OperatorContext(idempotency_key=f"scenario:{uuid.uuid4().hex}", instance_id="scenario",
                              business_key=data.get("application_no"), task_bpmn_id=request.bpmn_id,
                              extra={"dry_run": True})
        return to_json_value(op.func(op.load_params(request.params), ctx), "result")

    def perform(self, step: dict) -> None:
        """One step of the scenario, then settle."""
        if "complete" in step:
            self._complete(step)
        elif "message" in step:
            if not self.run.deliver_message(step["message"], copy.deepcopy(step.get("payload") or {})):
                raise ScenarioError(f"nothing waits for message {step['message']!r}")
        elif "timers" in step:
            which = step["timers"]
            fired = self.run.expire_timers(None if which is True else list(which))
            if not fired:
                raise ScenarioError(f"no timer waits ({which!r})")
        elif "set" in step:
            waiting = self.run.ready_human_tasks()
            if not waiting:
                raise ScenarioError("'set' needs a ready task whose data to change")
            for task in waiting:
                task.data.update(copy.deepcopy(step["set"]))
        elif "expect" not in step:
            raise ScenarioError(f"a step needs complete, message, timers, set or expect: {step}")
        self.settle()
        if "expect" in step:
            self.check(step["expect"], f"after step {step.get('name') or _describe(step)}")

    def _complete(self, step: dict) -> None:
        bpmn_id = step["complete"]
        ready = [t for t in self.run.ready_human_tasks() if t.task_spec.bpmn_id == bpmn_id]
        if not ready:
            have = sorted({t.task_spec.bpmn_id for t in self.run.ready_human_tasks()})
            raise ScenarioError(f"task {bpmn_id!r} is not ready (ready: {', '.join(have) or 'none'})")
        each = step.get("each")
        if each is not None:
            if len(each) > len(ready):
                raise ScenarioError(f"{bpmn_id}: {len(ready)} instances are ready, 'each' gives {len(each)}")
            for task, data in zip(_ordered(ready, step.get("order_by")), each, strict=False):
                if task.task_spec.bpmn_id != bpmn_id or task not in self.run.ready_human_tasks():
                    raise ScenarioError(f"{bpmn_id}: an instance was closed before 'each' reached it")
                self.run.complete_user_task(str(task.id), copy.deepcopy(data))
                self.run.advance()
            return
        self.run.complete_user_task(str(ready[0].id), copy.deepcopy(step.get("data") or {}))

    # -- checking -------------------------------------------------------------------------

    def path(self) -> list[str]:
        seen = {n["task_id"] for n in self.archived}
        live = [n for n in self.run.completed_nodes() if n["task_id"] not in seen]
        nodes = sorted(self.archived + live, key=lambda n: datetime.fromisoformat(n["completed_at"]))
        return [n["bpmn_id"] for n in nodes]

    def ready_ids(self) -> list[str]:
        return sorted({t.task_spec.bpmn_id for t in self.run.ready_human_tasks()})

    def check(self, expect: dict, where: str) -> None:
        """Record every way the run differs from ``expect``."""
        path = self.path()
        if "completed" in expect and expect["completed"] != self.run.completed:
            self.failures.append(f"{where}: completed is {self.run.completed}, expected {expect['completed']}")
        if "path" in expect:
            missing = _not_in_order(expect["path"], path)
            if missing:
                self.failures.append(f"{where}: path lacks {missing!r} in order; path was {path}")
        for bpmn_id in expect.get("path_excludes", []):
            if bpmn_id in path:
                self.failures.append(f"{where}: path should not contain {bpmn_id!r}")
        if "ready" in expect and sorted(set(expect["ready"])) != self.ready_ids():
            self.failures.append(f"{where}: ready tasks are {self.ready_ids()}, expected {sorted(expect['ready'])}")
        if "data" in expect:
            self.failures.extend(f"{where}: {p}" for p in subset_problems(expect["data"], self.run.data(), "data"))


def _describe(step: dict) -> str:
    for key in ("complete", "message", "timers", "set"):
        if key in step:
            return f"{key} {step[key]}"
    return "expect"


def _ordered(tasks: list, key: str | None) -> list:
    if not key:
        return tasks
    return sorted(tasks, key=lambda t: str(t.data.get(key)))


def _stubbed(name: str, stub: dict) -> Any:
    if "error" in stub:
        raise OperatorError(stub["error"], stub.get("message") or f"{name} failed (stubbed)", retryable=False)
    if "results" in stub:
        if not stub["results"]:
            raise ScenarioError(f"{name}: every stubbed result has been used")
        answer = stub["results"].pop(0) if len(stub["results"]) > 1 else stub["results"][0]
        if isinstance(answer, dict) and "error" in answer and len(answer) <= 2:
            return _stubbed(name, answer)
        return copy.deepcopy(answer)
    if "result" in stub:
        return copy.deepcopy(stub["result"])
    raise ScenarioError(f"{name}: a stub needs result, results or error")


def _not_in_order(expected: Sequence[str], actual: Sequence[str]) -> list[str]:
    position = 0
    for i, bpmn_id in enumerate(expected):
        try:
            position = actual.index(bpmn_id, position) + 1
        except ValueError:
            return list(expected[i:])
    return []


def subset_problems(expected: Any, actual: Any, where: str) -> list[str]:
    """Ways ``actual`` fails to contain ``expected`` (dicts by key, lists item by item)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where} is {actual!r}, expected an object"]
        out = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{where}.{key} is missing")
            else:
                out.extend(subset_problems(value, actual[key], f"{where}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where} has {len(actual)} items, expected {len(expected)}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out.extend(subset_problems(e, a, f"{where}[{i}]"))
        return out
    return [] if expected == actual else [f"{where} is {actual!r}, expected {expected!r}"]


def run_scenario(documents: Sequence[Document], scenario: dict, *, operators: OperatorRegistry | None = None,
                 timeout: float = 2.0) -> ScenarioResult:
    """Run ``scenario`` on the process it names, compiled from ``documents`` (BPMN and DMN)."""
    name = scenario.get("name") or "scenario"
    try:
        bundle = compile_bundle(scenario["process"], list(documents))
        driver = _Driver(bundle, scenario, operators or registry, timeout)
    except Exception as exc:  # a diagram that does not compile is the scenario's failure, never a crash
        return ScenarioResult(name, False, [], {}, [f"cannot start: {type(exc).__name__}: {exc}"])
    try:
        driver.settle()
        for step in scenario.get("steps") or []:
            driver.perform(step)
        driver.check(scenario.get("expect") or {}, "at the end")
    except ScenarioError as exc:
        driver.failures.append(str(exc))
    return ScenarioResult(name, not driver.failures, driver.path(), driver.run.data(), driver.failures,
                          driver.ready_ids(), driver.run.completed, driver.calls)


def load_scenarios(path: str | Path) -> list[dict]:
    """The scenarios of a ``<process>.scenarios.json`` file, each with its includes merged in."""
    path = Path(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for scenario in document.get("scenarios", []):
        merged: dict[str, Any] = {"data": {}, "operators": {}}
        for name in scenario.get("include", []):
            included = json.loads((path.parent / name).read_text(encoding="utf-8"))
            _deep_update(merged["data"], included.get("data") or {})
            merged["operators"].update(included.get("operators") or {})
        _deep_update(merged["data"], scenario.get("data") or {})
        merged["operators"].update(scenario.get("operators") or {})
        merged.update({k: v for k, v in scenario.items() if k not in ("data", "operators", "include")})
        merged.setdefault("process", document.get("process"))
        out.append(merged)
    return out


def _deep_update(target: dict, source: dict) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
