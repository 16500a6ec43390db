"""Specs the host builds and caches behave as SpiffWorkflow's serializer would restore them.

A countersign (parallel multi-instance user task) must merge every department's signature
whichever process served the step that expanded it: each step below resumes the workflow on a
spec compiled afresh (as a just-started web process would) or in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, ServiceTask

from app.engine import serializer
from app.engine.bundle import compile_bundle
from app.engine.parser import build_parser, read_document
from app.engine.runtime import Run
from app.engine.script_engine import make_script_engine
from app.engine.script_functions import SCRIPT_FUNCTIONS
from app.engine.specs import AsyncServiceTask

ROOT = Path(__file__).resolve().parents[3]
COUNTERSIGN = ROOT / "tests" / "processes" / "fixtures" / "countersign_mi.bpmn"
DEPARTMENTS = {"minzheng": {"name": "民政", "group": "dept_minzheng"},
               "zhujian": {"name": "住建", "group": "dept_zhujian"},
               "renshe": {"name": "人社", "group": "dept_renshe"}}

LOOPS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="loops" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="review">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopDataInputRef>members</bpmn:loopDataInputRef>
        <bpmn:loopDataOutputRef>reviews</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="member" name="member" />
        <bpmn:outputDataItem id="review_out" name="review_out" />
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:userTask id="visit" name="visit">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:standardLoopCharacteristics>
        <bpmn:loopCondition>visits &lt; 2</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="visit" />
    <bpmn:sequenceFlow id="f3" sourceRef="visit" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _engine():
    return make_script_engine(2, SCRIPT_FUNCTIONS)


def _fresh_bundle(process_key: str, content: bytes):
    return compile_bundle(process_key, [read_document(f"{process_key}.bpmn", content)])


def _step_on_a_fresh_spec(state: str, process_key: str, content: bytes, data: dict) -> tuple[str, Run]:
    """Load ``state`` on a spec nobody has run before, complete the first ready human task."""
    bundle = _fresh_bundle(process_key, content)
    run = Run.resume(serializer.loads(state, bundle.spec, bundle.subprocess_specs), bundle, _engine())
    task = run.ready_human_tasks()[0]
    run.complete_user_task(str(task.id), data)
    run.advance()
    return serializer.dumps(run.workflow), run


def _started_countersign(required: int) -> str:
    bundle = _fresh_bundle("countersign_mi", COUNTERSIGN.read_bytes())
    run = Run.start(bundle, _engine(), {"departments": DEPARTMENTS, "required": required})
    run.advance()
    assert len(run.ready_human_tasks()) == 3
    return serializer.dumps(run.workflow)


def test_every_signature_is_merged_when_each_step_runs_on_a_fresh_spec():
    state = _started_countersign(required=3)
    for n in range(1, 4):
        state, run = _step_on_a_fresh_spec(state, "countersign_mi", COUNTERSIGN.read_bytes(),
                                           {"signature": {"decision": "approve", "opinion": f"意见{n}"}})
        parent = next(t for t in run.workflow.get_tasks() if t.task_spec.bpmn_id == "sign"
                      and type(t.task_spec).__name__ == "HostParallelMultiInstanceTask")
        assert len(parent.internal_data["merged"]) == n
        assert len(parent.data["signatures"]) == n
    assert run.completed and not run.failures
    assert sorted(s["opinion"] for s in run.data()["signatures"].values()) == ["意见1", "意见2", "意见3"]


def test_n_of_m_and_a_rejection_end_the_countersign_on_fresh_specs():
    state = _started_countersign(required=2)
    for _ in range(2):
        state, run = _step_on_a_fresh_spec(state, "countersign_mi", COUNTERSIGN.read_bytes(),
                                           {"signature": {"decision": "approve", "opinion": "同意"}})
    assert run.completed and not run.ready_human_tasks()
    state = _started_countersign(required=3)
    state, run = _step_on_a_fresh_spec(state, "countersign_mi", COUNTERSIGN.read_bytes(),
                                       {"signature": {"decision": "reject", "opinion": "不同意"}})
    assert run.completed
    assert [s["decision"] for s in run.data()["signatures"].values()] == ["reject"]


def test_sequential_instances_and_standard_loops_advance_on_fresh_specs():
    bundle = _fresh_bundle("loops", LOOPS)
    run = Run.start(bundle, _engine(), {"members": ["甲", "乙"], "visits": 0})
    run.advance()
    state = serializer.dumps(run.workflow)
    for n in range(2):
        state, run = _step_on_a_fresh_spec(state, "loops", LOOPS, {"review_out": f"ok{n}"})
    assert run.data()["reviews"] == ["ok0", "ok1"]
    for n in (1, 2):
        state, run = _step_on_a_fresh_spec(state, "loops", LOOPS, {"visits": n})
    assert run.completed and run.data()["visits"] == 2


_STEP_IN_A_NEW_PROCESS = """
import json, sys
from app.engine import serializer
from app.engine.bundle import BundleCache
from app.engine.parser import build_parser, read_document
from app.engine.runtime import Run
from app.engine.script_engine import make_script_engine
from app.engine.script_functions import SCRIPT_FUNCTIONS
state, path, opinion = sys.stdin.read(), sys.argv[1], sys.argv[2]
bundle = BundleCache().get("countersign_mi", [1], lambda ids: [("c.bpmn", open(path, "rb").read())])
run = Run.resume(serializer.loads(state, bundle.spec, bundle.subprocess_specs), bundle,
                 make_script_engine(2, SCRIPT_FUNCTIONS))
task = run.ready_human_tasks()[0]
run.complete_user_task(str(task.id), {"signature": {"decision": "approve", "opinion": opinion}})
run.advance()
sys.stdout.write(serializer.dumps(run.workflow))
"""


def test_each_signature_in_a_new_process_is_merged():
    state = _started_countersign(required=3)
    for n in range(3):
        out = subprocess.run([sys.executable, "-c", _STEP_IN_A_NEW_PROCESS, str(COUNTERSIGN), f"意见{n}"],
                             input=state, capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
        state = out.stdout
    bundle = _fresh_bundle("countersign_mi", COUNTERSIGN.read_bytes())
    run = Run.resume(serializer.loads(state, bundle.spec, bundle.subprocess_specs), bundle, _engine())
    assert run.completed
    assert sorted(s["opinion"] for s in run.data()["signatures"].values()) == ["意见0", "意见1", "意见2"]


# -- the oracle: SpiffWorkflow's own serializer ------------------------------------------------

EVENTS = ("update_event", "ready_event", "completed_event", "error_event", "cancelled_event", "run_event")


def _links(spec) -> set[tuple]:
    """Every callback hung on a task spec's events: (task spec, event, callback, its owner)."""
    out = set()
    for name, task_spec in spec.task_specs.items():
        for event in EVENTS:
            for callback, _args, _kwargs in getattr(task_spec, event).hard_subscribers or []:
                owner = getattr(getattr(callback, "__self__", None), "name", None)
                out.add((name, event, getattr(callback, "__name__", repr(callback)), owner))
    return out


class _EngineByReference(SpiffBpmnTaskConverter):
    """Business rule tasks keep the host's FEEL engine (SpiffWorkflow's converter expects its own)."""

    engines: dict = {}

    def to_dict(self, spec):
        dct = super().to_dict(spec)
        self.engines[spec.name] = spec.dmnEngine
        dct["engine_ref"] = spec.name
        return dct

    def from_dict(self, dct):
        dct["dmnEngine"] = self.engines[dct.pop("engine_ref")]
        return super().from_dict(dct)


def _documents() -> list:
    files = sorted((ROOT / "processes").glob("*.bpmn")) + sorted((ROOT / "processes").glob("*.dmn"))
    return [read_document(p.name, p.read_bytes()) for p in files]


def _process_ids() -> list[str]:
    return sorted(pid for d in _documents() if d.kind == "bpmn" for pid, _n, ex in d.processes if ex)


@pytest.mark.parametrize("process_id", _process_ids())
def test_host_specs_carry_exactly_the_links_the_serializer_restores(process_id):
    """The oracle is SpiffWorkflow itself: the same parse, round-tripped through its serializer,
    hangs a set of callbacks on task-spec events; a freshly built host bundle, before anything
    ran, carries the same set, for the process and every process it calls."""
    registry = BpmnWorkflowSerializer.configure(
        {**SPIFF_CONFIG, AsyncServiceTask: SPIFF_CONFIG[ServiceTask], BusinessRuleTask: _EngineByReference})
    parser = build_parser(_documents(), validate=False)
    plain = [parser.get_spec(process_id), *parser.get_subprocess_specs(process_id).values()]
    restored = {s.name: registry.restore(registry.convert(s)) for s in plain}
    host = compile_bundle(process_id, _documents())
    built = {s.name: s for s in [host.spec, *host.subprocess_specs.values()]}
    assert set(built) == set(restored)
    for name, spec in built.items():
        assert _links(spec) == _links(restored[name]), name
    if process_id in ("gongzufang_application", "verification", "allocation"):  # the multi-instance ones
        assert any(link[2] == "merge_child" for spec in built.values() for link in _links(spec))
