"""The host's parallel join and refresh of waiting tasks do what SpiffWorkflow's do: they find the
same tasks in the same order, and whole processes take the same path to the same end."""

from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.util.task import TaskIterator, TaskState
from SpiffWorkflow.workflow import Workflow

from app.engine import parser as parser_module
from app.engine import tree
from app.engine.bundle import compile_bundle
from app.engine.operators import load_operators
from app.engine.parser import read_document
from app.engine.runtime import Run
from app.engine.scenarios import load_scenarios, run_scenario
from app.engine.script_engine import make_script_engine
from app.engine.specs import HostParallelGateway
from app.engine.tree import tasks_of_spec, tasks_of_spec_any_order
from tests.conftest import fixture_bytes

PROCESSES = Path(__file__).resolve().parents[3] / "processes"


def _documents():
    files = sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))
    return [read_document(p.name, p.read_bytes()) for p in files]


STATES = (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.COMPLETED, TaskState.CANCELLED,
          TaskState.FUTURE, TaskState.LIKELY | TaskState.MAYBE, TaskState.ANY_MASK, TaskState.FINISHED_MASK,
          TaskState.NOT_FINISHED_MASK, TaskState.DEFINITE_MASK, TaskState.PREDICTED_MASK)


def _same_search(workflow) -> int:
    """Every spec name and every state of every (sub)workflow found alike both ways; how many searches."""
    searches = 0
    for wf in [workflow, *workflow.subprocesses.values()]:
        for name in {t.task_spec.name for t in wf.tasks.values()}:
            assert [t.id for t in tasks_of_spec(wf, name)] == [t.id for t in wf.get_tasks(spec_name=name)], name
            assert sorted(str(t.id) for t in tasks_of_spec_any_order(wf, name)) == \
                sorted(str(t.id) for t in wf.get_tasks(spec_name=name)), name
            searches += 1
        for state in STATES:
            assert [t.id for t in wf.get_tasks(state=state)] == \
                [t.id for t in tree.SPIFFWORKFLOW_GET_TASKS(wf, state=state)], TaskState.get_name(state)
            searches += 1
    return searches


def test_the_shipped_diagrams_parallel_gateways_are_the_hosts():
    bundle = compile_bundle("verification", _documents())
    gateways = [s for s in [*bundle.spec.task_specs.values(),
                            *(t for sub in bundle.subprocess_specs.values() for t in sub.task_specs.values())]
                if isinstance(s, ParallelGateway)]
    assert gateways and all(type(s) is HostParallelGateway for s in gateways)


@pytest.mark.parametrize("key,files", [("smoke", ["smoke.bpmn"]),
                                       ("call_parent", ["call_parent.bpmn", "call_child.bpmn", "income_grade.dmn"])])
def test_the_task_searches_match_the_iterator_at_every_point_of_a_run(key, files):
    bundle = compile_bundle(key, [read_document(name, fixture_bytes(name)) for name in files])
    run = Run.start(bundle, make_script_engine(1.0), {"members": [{"income": 1}, {"income": 2}], "income": 3000})
    run.advance()
    searches = _same_search(run.workflow)
    for _ in range(3):
        for request in run.take_job_requests():  # each result completes one branch: the join is re-checked
            run.apply_job_result(request.task_id, request.result_variable, {"echo": request.bpmn_id})
            searches += _same_search(run.workflow)
        for task in run.ready_human_tasks():
            run.complete_user_task(str(task.id), {"decision": "approve", "checked": True})
            searches += _same_search(run.workflow)
        run.advance()
        searches += _same_search(run.workflow)
    assert searches > 50


SCENARIOS = [s for name in ("verification", "gongzufang_application")
             for s in load_scenarios(PROCESSES / f"{name}.scenarios.json")][:8]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_a_process_takes_the_same_path_with_either_join(scenario, monkeypatch):
    load_operators()
    documents = _documents()
    host = run_scenario(documents, scenario)
    assert Workflow.update_waiting_tasks is tree.update_waiting_tasks and BpmnBaseWorkflow.get_tasks is tree.get_tasks
    # SpiffWorkflow's own join and refresh of waiting tasks
    monkeypatch.setattr(parser_module, "HostParallelGateway", ParallelGateway)
    monkeypatch.setattr(Workflow, "update_waiting_tasks", tree.SPIFFWORKFLOW_UPDATE_WAITING_TASKS)
    monkeypatch.setattr(BpmnBaseWorkflow, "get_tasks", tree.SPIFFWORKFLOW_GET_TASKS)
    assert any(type(s) is ParallelGateway for s in compile_bundle("verification", documents).spec.task_specs.values())
    stock = run_scenario(documents, scenario)
    assert host.passed and stock.passed, host.failures + stock.failures
    assert (host.path, host.ready, host.completed) == (stock.path, stock.ready, stock.completed)
    assert sorted(host.data) == sorted(stock.data)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_a_search_answered_from_the_task_tables_finds_what_spiffworkflow_finds(scenario, monkeypatch):
    """A pass over the task tables stands for the walk when it finds one task or none; at every
    such search of whole runs, SpiffWorkflow's own iterator finds exactly that."""
    load_operators()
    scan_state, scan_waiting = tree._in_state_any_order, tree._waiting_any_order
    answered = {"none": 0, "one": 0, "walked": 0}

    def count(found: list) -> None:
        answered[("none", "one")[len(found)] if len(found) < 2 else "walked"] += 1

    def state_checked(workflow, state):
        found = scan_state(workflow, state)
        if len(found) < 2:
            assert [t.id for t in found] == [t.id for t in tree.SPIFFWORKFLOW_GET_TASKS(workflow, state=state)]
        count(found)
        return found

    def waiting_checked(workflow):
        found = scan_waiting(workflow)
        if len(found) < 2:
            assert [t.id for t in found] == [t.id for t in TaskIterator(workflow.task_tree, state=TaskState.WAITING)]
        count(found)
        return found

    monkeypatch.setattr(tree, "_in_state_any_order", state_checked)
    monkeypatch.setattr(tree, "_waiting_any_order", waiting_checked)
    result = run_scenario(_documents(), scenario)
    assert result.passed, result.failures
    assert answered["none"] > 10 and answered["one"] > 10, answered


def test_a_join_in_a_loop_decides_as_spiffworkflows_for_every_task_at_every_point():
    """A loop through a parallel gateway: SpiffWorkflow predicts the next round's join below the
    current one, so the order of the join's tasks matters and the host walks the tree for them."""
    bundle = compile_bundle("parallel_loop", [read_document("parallel_loop.bpmn", fixture_bytes("parallel_loop.bpmn"))])
    run = Run.start(bundle, make_script_engine(1.0), {})
    run.advance()
    walked, checks = [], 0
    original = tree.tasks_of_spec

    def counting(workflow, spec_name):
        walked.append(spec_name)
        return original(workflow, spec_name)

    import app.engine.specs as specs_module

    specs_module.tasks_of_spec, rounds = counting, 0
    try:
        while run.ready_human_tasks():
            for task in run.workflow.get_tasks(spec_name="join"):
                host = task.task_spec._check_threshold_unstructured(task)
                stock = ParallelGateway._check_threshold_unstructured(task.task_spec, task)
                assert host == stock, (TaskState.get_name(task.state), rounds)
                checks += 1
            run.complete_user_task(str(run.ready_human_tasks()[0].id), {})
            run.advance()
            rounds += 1
    finally:
        specs_module.tasks_of_spec = original
    assert run.workflow.is_completed() and run.workflow.data["seen"] == [1, 2, 3] and rounds == 3
    assert walked and checks >= 6  # the loop's predicted rounds below a join sent the host to the walk
