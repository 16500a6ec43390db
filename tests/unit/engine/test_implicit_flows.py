"""Implicit splits (several outgoing flows without a gateway) survive spec caching and state:
the inserted gateway's name comes from the node's id, so a state saved under one parse resumes
on a spec parsed afresh, and the stored document is left as drawn."""

from __future__ import annotations

from pathlib import Path

from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway

from app.engine import serializer
from app.engine.bundle import compile_bundle
from app.engine.implicit import SUFFIX, with_implicit_gateways
from app.engine.parser import BPMN_NS, read_document
from app.engine.runtime import Run
from app.engine.script_engine import make_script_engine
from app.engine.script_functions import SCRIPT_FUNCTIONS

CONFORMANCE = Path(__file__).resolve().parents[2] / "fixtures" / "bpmn" / "conformance"


def _bundle(name: str, key: str):
    return compile_bundle(key, [read_document(name, (CONFORMANCE / name).read_bytes())])


def _engine():
    return make_script_engine(2, SCRIPT_FUNCTIONS)


def _step(state: str, bpmn_id: str) -> tuple[str, Run]:
    """Complete the ready task ``bpmn_id`` on a spec parsed afresh (a just-started process)."""
    bundle = _bundle("implicit_parallel.bpmn", "conf_implicit_parallel")
    run = Run.resume(serializer.loads(state, bundle.spec, bundle.subprocess_specs), bundle, _engine())
    task = next(t for t in run.ready_human_tasks() if t.task_spec.bpmn_id == bpmn_id)
    run.complete_user_task(str(task.id), {})
    run.advance()
    return serializer.dumps(run.workflow), run


def test_the_split_gateway_is_named_after_its_node_and_the_stored_document_is_untouched():
    doc = read_document("implicit_parallel.bpmn", (CONFORMANCE / "implicit_parallel.bpmn").read_bytes())
    bundle = compile_bundle("conf_implicit_parallel", [doc])
    gateway = bundle.spec.task_specs[f"receive{SUFFIX}"]
    assert isinstance(gateway, ParallelGateway)
    assert sorted(o.name for o in gateway.outputs) == ["check_hukou", "check_income"]
    assert not list(doc.root.iter(f"{{{BPMN_NS}}}parallelGateway"))  # the file stays as drawn
    assert with_implicit_gateways(doc.root) is not doc.root


def test_a_document_without_implicit_splits_is_parsed_as_it_is():
    doc = read_document("subprocess_reminder.bpmn", (CONFORMANCE / "subprocess_reminder.bpmn").read_bytes())
    assert with_implicit_gateways(doc.root) is doc.root


def test_conditional_flows_become_an_inclusive_gateway_with_the_nodes_default():
    bundle = _bundle("implicit_conditional.bpmn", "conf_implicit_conditional")
    gateway = bundle.spec.task_specs[f"grade{SUFFIX}"]
    assert type(gateway).__name__ == "InclusiveGateway"
    assert [out for condition, out in gateway.cond_task_specs if condition is None] == ["standard"]  # the default


def test_each_step_of_a_split_and_a_merge_resumes_on_a_spec_parsed_afresh():
    bundle = _bundle("implicit_parallel.bpmn", "conf_implicit_parallel")
    run = Run.start(bundle, _engine(), {})
    run.advance()
    state = serializer.dumps(run.workflow)
    for bpmn_id in ("receive", "check_hukou", "archive", "check_income", "archive"):
        state, run = _step(state, bpmn_id)
    assert run.completed and not run.failures
    assert [n["bpmn_id"] for n in run.completed_nodes()].count("archive") == 2
