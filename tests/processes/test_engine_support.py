"""Engine pieces the lifecycle relies on: counting completion conditions, chosen timers, scenarios."""

from __future__ import annotations

import json
from pathlib import Path

from app.engine import serializer
from app.engine.bundle import compile_bundle
from app.engine.operators import load_operators
from app.engine.parser import read_document
from app.engine.runtime import Run
from app.engine.scenarios import load_scenarios, run_scenario, subset_problems
from app.engine.script_engine import make_script_engine
from app.engine.script_functions import SCRIPT_FUNCTIONS

HERE = Path(__file__).resolve().parent
PROCESSES = HERE.parents[1] / "processes"
DEPARTMENTS = {"minzheng": {"name": "民政", "group": "dept_minzheng"},
               "zhujian": {"name": "住建", "group": "dept_zhujian"},
               "renshe": {"name": "人社", "group": "dept_renshe"}}


def _countersign(required: int, decisions: list[str]) -> Run:
    fixture = (HERE / "fixtures" / "countersign_mi.bpmn").read_bytes()
    bundle = compile_bundle("countersign_mi", [read_document("c.bpmn", fixture)])
    run = Run.start(bundle, make_script_engine(2, SCRIPT_FUNCTIONS), {"departments": DEPARTMENTS, "required": required})
    run.advance()
    for decision in decisions:
        state = serializer.dumps(run.workflow)  # as the database would: no shared objects survive
        run = Run.resume(serializer.loads(state, bundle.spec, bundle.subprocess_specs), bundle,
                         make_script_engine(2, SCRIPT_FUNCTIONS))
        task = run.ready_human_tasks()[0]
        run.complete_user_task(str(task.id), {"signature": {"decision": decision, "opinion": "意见"}})
        run.advance()
    return run


def test_all_of_m_waits_for_every_instance():
    run = _countersign(3, ["approve", "approve"])
    assert not run.completed and len(run.ready_human_tasks()) == 1
    run = _countersign(3, ["approve", "approve", "approve"])
    assert run.completed and len(run.data()["signatures"]) == 3


def test_n_of_m_completes_once_n_approve_and_cancels_the_rest():
    run = _countersign(2, ["approve", "approve"])
    assert run.completed and not run.failures
    assert sorted(s["decision"] for s in run.data()["signatures"].values()) == ["approve", "approve"]


def test_one_rejection_ends_the_countersign():
    run = _countersign(3, ["approve", "reject"])
    assert run.completed and not run.ready_human_tasks()
    assert [s["decision"] for s in run.data()["signatures"].values()].count("reject") == 1


def _verification_documents():
    return [read_document("verification.bpmn", (PROCESSES / "verification.bpmn").read_bytes())]


def _household(key: str) -> dict:
    return json.loads((PROCESSES / "stubs" / "households" / f"{key}.json").read_text(encoding="utf-8"))


def test_a_scenario_answers_jobs_from_stubs_and_runs_handlers_dry():
    load_operators()
    household = _household("eligible_single")
    result = run_scenario(_verification_documents(), {
        "name": "all sources answer", "process": "verification", "data": household["data"],
        "operators": household["operators"],
        "expect": {"completed": True, "path": ["prepare_checks", "check_tax", "merge_results", "end"],
                   "path_excludes": ["manual_check"], "data": {"findings": {"complete": True}}}})
    assert result.passed, result.failures
    assert {c["operator"] for c in result.calls} >= {"hukou/check", "verification/merge"}


def test_a_stubbed_error_takes_the_boundary_event_and_mismatches_are_reported():
    load_operators()
    household = _household("eligible_single")
    operators = dict(household["operators"], **{"tax/check": {"error": "SourceUnavailable"}})
    result = run_scenario(_verification_documents(), {
        "name": "tax down", "process": "verification", "data": household["data"], "operators": operators,
        "steps": [{"complete": "manual_check",
                   "data": {"manual_finding": {"verdict": "pass", "summary": "函询无异常"}}}],
        "expect": {"completed": True, "path": ["check_tax_failed", "manual_check", "record_manual"],
                   "data": {"findings": {"complete": False}}}})
    assert not result.passed
    assert result.failures == ["at the end: data.findings.complete is True, expected False"]
    assert result.data["findings"]["table"][household["data"]["applicant"]["id_number"]]["tax"]["method"] == "manual"


def test_a_missing_connector_stub_or_task_fails_the_scenario_without_raising():
    load_operators()
    household = _household("eligible_single")
    operators = {k: v for k, v in household["operators"].items() if k != "vehicles/check"}
    result = run_scenario(_verification_documents(), {"name": "gap", "process": "verification",
                                                      "data": household["data"], "operators": operators,
                                                      "steps": [{"complete": "nowhere"}]})
    assert not result.passed and "no answer stubbed for vehicles/check" in result.failures[0]
    broken = run_scenario(_verification_documents(), {"name": "x", "process": "no_such_process"})
    assert not broken.passed and broken.failures[0].startswith("cannot start")


def test_expire_timers_can_fire_only_the_named_ones():
    document = read_document("publication.bpmn", (PROCESSES / "publication.bpmn").read_bytes())
    bundle = compile_bundle("publication", [document])
    run = Run.start(bundle, make_script_engine(2, SCRIPT_FUNCTIONS), {
        "application_no": "GZF2026-000001", "housing_type": "gongzufang", "district": "渝中区",
        "applicant_name": "张三", "household": {"members": [{}]}, "publication_days": 7,
        "objection_days": 10})
    run.advance()
    answers = {"open_publication": {"batch_no": "b", "title": "t", "starts_on": "2099-01-01",
                                    "ends_on": "2099-01-10", "ends_at": "2099-01-10T16:00:00+00:00"},
               "push_platform": {"receipt_id": "GS-1"}}
    for _ in range(2):
        [request] = run.take_job_requests()
        run.apply_job_result(request.task_id, request.result_variable, answers[request.bpmn_id])
        run.advance()
    assert run.expire_timers(["some_other_timer"]) == 0
    assert [e["bpmn_id"] for e in run.waiting_events() if e["type"] == "timer"] == ["period_ends"]
    assert run.expire_timers(["period_ends"]) == 1
    run.advance()
    assert [r.bpmn_id for r in run.take_job_requests()] == ["take_objection"]


def test_subset_matching_reports_every_difference():
    assert subset_problems({"a": 1, "b": [1, {"c": 2}]}, {"a": 1, "b": [1, {"c": 2, "d": 3}], "e": 0}, "x") == []
    assert subset_problems({"a": 2, "b": [1]}, {"a": 1, "b": [1, 2]}, "x") == ["x.a is 1, expected 2",
                                                                             "x.b has 2 items, expected 1"]


def test_scenario_files_merge_their_includes(tmp_path):
    base = {"data": {"a": {"x": 1, "y": 2}}, "operators": {"o/p": {"result": 1}}}
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "t.scenarios.json").write_text(json.dumps({"process": "p", "scenarios": [
        {"name": "s", "include": ["base.json"], "data": {"a": {"y": 3}}, "operators": {"o/q": {"result": 2}}}]}))
    [scenario] = load_scenarios(tmp_path / "t.scenarios.json")
    assert scenario["data"] == {"a": {"x": 1, "y": 3}} and set(scenario["operators"]) == {"o/p", "o/q"}
    assert scenario["process"] == "p" and "include" not in scenario


def test_a_cycle_on_a_timer_start_event_runs_one_path_when_the_scheduler_fires_it():
    fixture = (HERE.parents[0] / "fixtures" / "bpmn" / "timer_start.bpmn").read_bytes()
    bundle = compile_bundle("timer_start", [read_document("timer_start.bpmn", fixture)])
    run = Run.start(bundle, make_script_engine(2, SCRIPT_FUNCTIONS), {})
    run.advance()  # a cycle that began months ago must not replay itself inside the instance
    assert not run.completed and run.next_timer_due() is None
    assert run.fire_start_timer()
    run.advance()
    assert run.completed and run.data() == {"swept": True}
    assert len([t for t in run.workflow.get_tasks() if t.task_spec.name == "sweep"]) == 1
