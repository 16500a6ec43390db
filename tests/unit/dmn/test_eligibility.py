"""A realistic eligibility table (Chongqing public rental housing, 2025 income limits), as
dmn-js writes it, evaluated from plain facts and inside a SpiffWorkflow business rule task."""

import json
import traceback

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from app.engine.dmn import DecisionEngine, evaluate_decision, parse_decisions, validate_dmn

from .helpers import DATA, decision_xml

CQ_XML = (DATA / "cq_eligibility.dmn").read_bytes()


@pytest.fixture(scope="module")
def decisions():
    return parse_decisions(CQ_XML, "cq_eligibility.dmn")


def household(size, income, owns_home=False, **extra):
    return {"household": {"size": size, "monthly_income": income, "owns_home": owns_home, **extra}}


def test_file_is_clean_and_has_both_decisions(decisions):
    assert validate_dmn(CQ_XML, "cq_eligibility.dmn") == []
    assert sorted(decisions) == ["cq_income_eligibility", "cq_priority_bonus"]
    assert decisions["cq_income_eligibility"].name == "收入准入判定"


@pytest.mark.parametrize(("size", "income", "eligible", "row"), [
    (1, 4978, True, 2),
    (1, 4978.01, False, 3),
    (1, 0, True, 2),
    (2, 9126, True, 4),  # 4563 per person
    (2, 9127, False, 5),
    (3, 12444, True, 6),  # 4148 per person
    (3, 12445, False, 7),
    (5, 20740, True, 6),
    (5, 20741, False, 7),
])
def test_income_limits_per_household_size(decisions, size, income, eligible, row):
    result = evaluate_decision(decisions["cq_income_eligibility"], household(size, income))
    assert result.outputs["eligible"] is eligible
    assert result.matched_rows == [row]


def test_verdict_comes_with_its_reason_and_score(decisions):
    result = evaluate_decision(decisions["cq_income_eligibility"], household(3, 9000))
    assert result.outputs == {
        "eligible": True, "reason": "三人及以上家庭收入符合（≤4148元）", "priority_score": 14}
    assert [m.description for m in result.matched] == ["三人及以上家庭人均月收入不高于 4148 元"]
    assert result.matched[0].rule_id == "DecisionRule_family_ok"


def test_home_owners_are_refused_whatever_their_income(decisions):
    result = evaluate_decision(decisions["cq_income_eligibility"], household(2, 1000, owns_home=True))
    assert result.outputs["eligible"] is False
    assert result.outputs["reason"] == "本市名下有房"
    assert result.matched_rule_ids == ["DecisionRule_owns_home"]


def test_missing_facts_match_nothing_instead_of_crashing(decisions):
    assert evaluate_decision(decisions["cq_income_eligibility"], {}).outputs == {}
    assert evaluate_decision(decisions["cq_income_eligibility"], household(0, 1000)).outputs == {}


def test_priority_bonus_sums_matching_rules(decisions):
    facts = household(3, 9000, members=[{"age": 34}, {"age": 66}], disability_grade="二级", months_waiting=20)
    result = evaluate_decision(decisions["cq_priority_bonus"], facts)
    assert result.outputs == {"bonus": 17}  # 5 + 8 + (20 - 12) * 0.5
    assert result.matched_rows == [1, 2, 3]
    young = household(1, 3000, members=[{"age": 30}], disability_grade="四级", months_waiting=3)
    assert evaluate_decision(decisions["cq_priority_bonus"], young).outputs == {"bonus": None}


def test_replaying_stored_facts_through_an_edited_table():
    stored = json.loads(json.dumps([household(3, 12600), household(3, 12000), household(1, 5000)]))
    before = parse_decisions(CQ_XML, "cq.dmn")["cq_income_eligibility"]
    edited_xml = CQ_XML.replace(b"&lt;= 4148", b"&lt;= 4300").replace(b"&gt; 4148", b"&gt; 4300")
    after = parse_decisions(edited_xml, "cq.dmn")["cq_income_eligibility"]
    verdicts = [(evaluate_decision(before, facts).outputs["eligible"],
                 evaluate_decision(after, facts).outputs["eligible"]) for facts in stored]
    assert verdicts == [(False, True), (True, True), (False, False)]


# -- inside a workflow ---------------------------------------------------------------------
class _Parser(SpiffBpmnParser):
    """Wires the engine in the way the host does: decisions parsed here, one engine per task."""

    def __init__(self, decisions):
        super().__init__()
        self.decisions = decisions

    def get_engine(self, decision_ref, node):
        return DecisionEngine(self.decisions[decision_ref])


def run_rule_task(decisions, decision_id, data):
    parser = _Parser(decisions)
    bpmn = (DATA / "rule_task.bpmn").read_text().replace("DECISION_ID", decision_id)
    parser.add_bpmn_str(bpmn.encode(), "rule_task.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("rule_task"))
    workflow.get_tasks()[0].data.update(data)
    workflow.do_engine_steps()
    assert workflow.is_completed()
    return workflow.last_task.data


def test_business_rule_task_merges_the_outputs_into_task_data(decisions):
    data = run_rule_task(decisions, "cq_income_eligibility", household(2, 8000))
    assert data["eligible"] is True
    assert data["priority_score"] == 5
    assert data["household"]["size"] == 2


def test_business_rule_task_runs_python_cells_through_the_script_engine():
    spiff = parse_decisions((DATA / "spiff_style.dmn").read_bytes(), "spiff_style.dmn")
    data = run_rule_task(spiff, "spiff_household_check",
                         dict(marital_status="single", income=3000, local_hukou=True, members=["a"]))
    assert data["decision"] == {"verdict": "approved", "note": "single, local, income 3000"}


def test_python_failure_in_a_task_is_a_workflow_task_exception_naming_the_row():
    spiff = parse_decisions((DATA / "spiff_style.dmn").read_bytes(), "spiff_style.dmn")
    with pytest.raises(WorkflowTaskException) as caught:
        run_rule_task(spiff, "spiff_household_check",
                      dict(marital_status="married", income=9000, local_hukou=True, members=None))
    notes = caught.value.notes
    assert any(note.startswith("Rule failed on row 2 (DecisionRule_family)") for note in notes)
    assert caught.value.task.task_spec.bpmn_id == "decide"
    # the original error is still reachable for the incident's traceback
    trace = "".join(traceback.format_exception(caught.value))
    assert "TypeError" in trace


def test_hit_policy_violation_in_a_task_is_a_workflow_task_exception():
    overlapping = parse_decisions(decision_xml([(["< 10"], ['"a"']), (["> 0"], ['"b"'])]), "o.dmn")
    expected = r"UNIQUE but 2 rules match: row 1 \(r1\), row 2 \(r2\)"
    with pytest.raises(WorkflowTaskException, match=expected) as caught:
        run_rule_task(overlapping, "d", {"x": 5})
    assert "Hit policy violated by rows 1 (r1), 2 (r2) of decision 'd'" in caught.value.notes
