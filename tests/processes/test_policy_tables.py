"""Priority policy is table data: the elderly age and the score weights change by editing a cell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.engine.dmn import evaluate_decision, parse_decisions
from app.engine.operators import load_operators
from app.engine.parser import read_document
from app.engine.scenarios import load_scenarios, run_scenario

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
GONGZUFANG_DMN = "gongzufang_eligibility.dmn"
NO_GROUP = {"dibao": False, "tekun": False, "disabled": False, "disability_grade": 0, "youfu": False}


def _edit_cell(xml: str, entry_id: str, text: str) -> str:
    """``xml`` with the cell (input or output entry) ``entry_id`` set to ``text``."""
    pattern = rf'(<(?:input|output)Entry id="{entry_id}">\s*<text>)[^<]*(</text>)'
    edited, count = re.subn(pattern, rf"\g<1>{text}\g<2>", xml)
    assert count == 1, entry_id
    return edited


def _priority_groups(xml: str, age: int) -> list[str]:
    decision = parse_decisions(xml.encode(), GONGZUFANG_DMN)["gongzufang_priority"]
    return evaluate_decision(decision, {"facts": dict(NO_GROUP, applicant_age=age)}).outputs.get("priority_group") or []


def test_the_elderly_age_is_a_cell_of_the_priority_table():
    xml = (PROCESSES / GONGZUFANG_DMN).read_text(encoding="utf-8")
    assert _priority_groups(xml, 60) == ["elderly"] and _priority_groups(xml, 59) == []
    raised = _edit_cell(xml, "In_gongzufang_priority_elderly_5", "&gt;= 65")
    assert _priority_groups(raised, 64) == [] and _priority_groups(raised, 65) == ["elderly"]


@pytest.mark.parametrize(("dmn", "process"), [(GONGZUFANG_DMN, "gongzufang"), ("baozufang_eligibility.dmn",
                                                                                "baozufang")])
def test_the_score_weights_are_cells_of_the_standards_table(dmn, process):
    decisions = parse_decisions((PROCESSES / dmn).read_bytes(), dmn)
    outputs = evaluate_decision(decisions[f"{process}_standards"], {"housing_type": process}).outputs
    assert {k: outputs[k] for k in ("score_housing_points", "score_member_points", "score_member_points_max")} \
        == {"score_housing_points": 10, "score_member_points": 2, "score_member_points_max": 8}


def _score_after_acceptance(dmn_xml: str) -> dict:
    """The ``ranking`` of the eligible three-person family once 受理 is done, with ``dmn_xml``."""
    load_operators()
    files = [p for p in sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn")) if p.name != GONGZUFANG_DMN]
    documents = [read_document(p.name, p.read_bytes()) for p in files]
    documents.append(read_document(GONGZUFANG_DMN, dmn_xml.encode()))
    [scenario] = [s for s in load_scenarios(PROCESSES / "gongzufang_application.scenarios.json")
                  if s["name"] == "eligible_family_reaches_waiting_list"]
    scenario = dict(scenario, steps=scenario["steps"][:1], expect={})
    result = run_scenario(documents, scenario)
    assert result.passed, result.failures
    return result.data["ranking"]


def test_editing_a_weight_cell_changes_the_score_with_no_code_change():
    xml = (PROCESSES / GONGZUFANG_DMN).read_text(encoding="utf-8")
    before = _score_after_acceptance(xml)
    assert before["parts"]["household"] == 4  # two members beyond the applicant, 2 points each
    after = _score_after_acceptance(_edit_cell(xml, "Out_gongzufang_standards_cq2025_8", "3"))
    assert after["parts"]["household"] == 6 and after["score"] == before["score"] + 2
