"""Business rule tasks run FEEL tables drawn in dmn-js; broken tables are refused at deploy."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from app.services import decision_preview_service
from tests.conftest import deploy_fixture, fixture_bytes
from tests.processes.conftest import complete as complete_task
from tests.processes.conftest import flow_app, sandbox, staff, submit  # noqa: F401
from tests.support.api import start


@pytest.mark.parametrize("household,dibao,age,band,points", [
    ({"size": 2, "type": "nuclear"}, True, 65, "small", 15),
    ({"size": 4, "type": "multi_generation"}, False, 40, "large", None),
    ({"size": 1, "type": "single"}, False, 70, "small", 5),
])
def test_feel_ranges_lists_negation_and_collect_sum(client, auth, household, dibao, age, band, points):
    assert deploy_fixture(client, auth(), "feel_rules.bpmn", "feel_rules.dmn").status_code == 201
    inst = start(client, auth(), "feel_rules", {"household": household, "dibao": dibao, "age": age})
    assert inst["status"] == "completed", inst["incidents"]
    assert inst["data"]["band"] == band and inst["data"]["points"] == points


def test_two_decisions_in_one_file_are_two_versioned_definitions(client, auth):
    items = deploy_fixture(client, auth(), "feel_rules.bpmn", "feel_rules.dmn").get_json()["items"]
    assert {(i["key"], i["kind"]) for i in items} >= {("size_band", "decision"), ("bonus", "decision")}


def test_a_certain_unique_overlap_is_refused_at_deploy(client, auth):
    overlapping = fixture_bytes("feel_rules.dmn").replace(b"<text>[1..2]</text>", b"<text>[1..3]</text>")
    data = {"files": [(io.BytesIO(overlapping), "feel_rules.dmn")]}
    response = client.post("/api/v1/process-definitions", headers=auth(), data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    [error] = [e for e in response.get_json()["errors"] if "can match the same facts" in e["message"]]
    assert error["element_id"] == "Rule_large" and "row 1 (Rule_small)" in error["message"]


def test_an_overlap_only_facts_reveal_becomes_an_incident_naming_the_rows(client, auth):
    # '?' makes the cell undecidable before run time, so it deploys; these facts match both rules
    undecidable = fixture_bytes("feel_rules.dmn").replace(b"<text>[1..2]</text>", b"<text>? &lt;= 3</text>")
    data = {"files": [(io.BytesIO(fixture_bytes("feel_rules.bpmn")), "feel_rules.bpmn"),
                      (io.BytesIO(undecidable), "feel_rules.dmn")]}
    response = client.post("/api/v1/process-definitions", headers=auth(), data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    inst = start(client, auth(), "feel_rules", {"household": {"size": 3, "type": "nuclear"}, "dibao": False,
                                                "age": 1})
    [incident] = inst["incidents"]
    assert incident["bpmn_id"] == "band" and "row 1" in incident["message"] and "row 2" in incident["message"]


def test_a_broken_cell_is_a_422_naming_the_cell(client, auth):
    broken = fixture_bytes("feel_rules.dmn").replace(b"<text>&gt;= 60</text>", b"<text>&gt;= [60..</text>")
    data = {"files": [(io.BytesIO(broken), "feel_rules.dmn")]}
    response = client.post("/api/v1/process-definitions", headers=auth(), data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Cell_elder_age" in {e["element_id"] for e in response.get_json()["errors"]}


def test_python_cells_are_checked_by_the_sandbox_at_deploy(client, auth):
    sneaky = fixture_bytes("income_grade.dmn").replace(b"<text>\"low\"</text>",
                                                       b"<text>().__class__.__name__</text>")
    data = {"files": [(io.BytesIO(sneaky), "income_grade.dmn")]}
    response = client.post("/api/v1/process-definitions", headers=auth(), data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert any(e["element_id"] == "LiteralExpression_low" for e in response.get_json()["errors"])


def test_each_evaluation_is_recorded_with_its_facts_outputs_and_rules(app, client, auth):
    from app.db import db
    from app.models import DecisionEvaluation

    deploy_fixture(client, auth(), "feel_rules.bpmn", "feel_rules.dmn")
    inst = start(client, auth(), "feel_rules", {"household": {"size": 2, "type": "nuclear"}, "dibao": True,
                                                "age": 70, "unrelated": "x",
                                                "applicant": {"id_number": "110105199001011234"}})
    with db.session() as session:
        rows = {r.decision_id: r for r in session.query(DecisionEvaluation).filter_by(instance_id=inst["id"])}
    assert set(rows) == {"size_band", "bonus"}
    band = rows["size_band"]
    assert band.facts == {"household": {"size": 2, "type": "nuclear"}}
    assert band.outputs == {"band": "small"} and band.bpmn_id == "band"
    assert [m["rule_id"] for m in band.matched] == ["Rule_small"] and band.definition_id is not None
    assert rows["bonus"].outputs == {"points": 15}
    assert [m["row"] for m in rows["bonus"].matched] == [1, 2]


def test_preview_lists_the_past_cases_an_edited_threshold_would_change(client, auth):
    deploy_fixture(client, auth(), "feel_rules.bpmn", "feel_rules.dmn")
    for n, age in enumerate((59, 61, 70, 30)):
        start(client, auth(), "feel_rules", {"household": {"size": 1, "type": "single"}, "dibao": False,
                                             "age": age}, f"P-{n}")
    edited = fixture_bytes("feel_rules.dmn").replace(b"<text>&gt;= 60</text>", b"<text>&gt;= 65</text>")
    response = client.post("/api/v1/decisions/bonus/preview", headers=auth("policy"),
                           content_type="multipart/form-data", data={"file": (io.BytesIO(edited), "feel_rules.dmn")})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["cases"] == 4 and body["failed"] == []
    [change] = body["changed"]
    assert change["business_key"] == "P-1" and change["before"] == {"points": 5} and change["after"] == {"points": None}
    broken = fixture_bytes("feel_rules.dmn").replace(b"<text>&gt;= 60</text>", b"<text>&gt;= [</text>")
    bad = client.post("/api/v1/decisions/bonus/preview", headers=auth("policy"), content_type="multipart/form-data",
                      data={"file": (io.BytesIO(broken), "feel_rules.dmn")})
    assert bad.status_code == 422


# -- the preview on the real 公租房 tables: the income line feeds the eligibility rules ----------

ROOT = Path(__file__).resolve().parents[2]
REAL_DMN = ROOT / "processes" / "gongzufang_eligibility.dmn"
RULE_TASKS = (("income_line", "gongzufang_income_line"), ("standards", "gongzufang_standards"),
              ("eligibility_rules", "gongzufang_eligibility"), ("priority_rules", "gongzufang_priority"))


def _real_script(task_id: str) -> str:
    """A script of the real 公租房 application diagram."""
    root = etree.parse(str(ROOT / "processes" / "gongzufang_application.bpmn"))
    [script] = root.xpath(f"//bpmn:scriptTask[@id='{task_id}']/bpmn:script/text()",
                          namespaces={"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"})
    return script


def _eligibility_chain() -> bytes:
    """The 公租房 eligibility steps as their own process: the real tables and scripts in order."""
    steps = [("prepare_eligibility", None)] + list(RULE_TASKS) + [("summarize_eligibility", None)]
    nodes = []
    for n, (task_id, decision) in enumerate(steps):
        flow = f"<bpmn:incoming>f{n}</bpmn:incoming><bpmn:outgoing>f{n + 1}</bpmn:outgoing>"
        if decision:
            nodes.append(f'<bpmn:businessRuleTask id="{task_id}"><bpmn:extensionElements><spiffworkflow:'
                         f'calledDecisionId>{decision}</spiffworkflow:calledDecisionId></bpmn:extensionElements>'
                         f'{flow}</bpmn:businessRuleTask>')
        else:
            nodes.append(f'<bpmn:scriptTask id="{task_id}">{flow}<bpmn:script>{escape(_real_script(task_id))}'
                         f'</bpmn:script></bpmn:scriptTask>')
    flows = "".join(f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}" />' for n, (a, b) in enumerate(
        zip(["start"] + [s for s, _d in steps], [s for s, _d in steps] + ["end"], strict=True)))
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/'
            f'BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
            f'id="Definitions_chain" targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process '
            f'id="gzf_eligibility_chain" isExecutable="true"><bpmn:startEvent id="start"><bpmn:extensionElements>'
            f'<spiffworkflow:properties><spiffworkflow:property name="startRoles" value="policy" />'
            f'</spiffworkflow:properties></bpmn:extensionElements><bpmn:outgoing>f0</bpmn:outgoing>'
            f'</bpmn:startEvent>{"".join(nodes)}<bpmn:endEvent id="end"><bpmn:incoming>'
            f'f{len(steps)}</bpmn:incoming></bpmn:endEvent>{flows}</bpmn:process></bpmn:definitions>').encode()


def _facts(size: int, income: int, area: float = 10.0) -> dict:
    return {"household_size": size, "per_capita_income": income, "per_capita_area": area,
            "property_transferred": False, "unregistered_contract": False, "current_housing_benefit": False,
            "max_vehicle_price": 0, "owns_business": False, "total_assets": 10000, "undeclared_spouse": False,
            "local_hukou": True, "hukou_years": 5, "permit_years": 0,
            "household_type": "single" if size == 1 else "nuclear", "applicant_age": 35, "dibao": False,
            "tekun": False, "disabled": False, "disability_grade": None, "youfu": False, "elderly": False}


def _preview(client, auth, decision_id: str, dmn: bytes) -> dict:
    response = client.post(f"/api/v1/decisions/{decision_id}/preview?limit=20", headers=auth("policy"),
                           content_type="multipart/form-data", data={"file": (io.BytesIO(dmn), REAL_DMN.name)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_preview_follows_a_raised_income_line_through_to_eligibility(client, auth):
    data = {"files": [(io.BytesIO(REAL_DMN.read_bytes()), REAL_DMN.name),
                      (io.BytesIO(_eligibility_chain()), "gzf_eligibility_chain.bpmn")]}
    deployed = client.post("/api/v1/process-definitions", headers=auth("policy"), data=data,
                           content_type="multipart/form-data")
    assert deployed.status_code == 201, deployed.get_json()
    households = {"BORDER": _facts(3, 4300),          # over 4148, under 4500: becomes eligible
                  "POOR": _facts(3, 3000),            # eligible either way; only its line moves
                  "RICH": _facts(3, 6000),            # ineligible either way
                  "BIG-HOME": _facts(3, 4300, 40.0),  # passes the income rule now, still fails on area
                  "SINGLE": _facts(1, 4300)}          # the single person's line is unchanged
    for key, facts in households.items():
        inst = start(client, auth(), "gzf_eligibility_chain", {"findings": {"facts": facts},
                                                               "housing_type": "gongzufang"}, key)
        assert inst["status"] == "completed", inst["incidents"]
        assert inst["data"]["eligibility"]["eligible"] is (key in ("POOR", "SINGLE"))
    raised = REAL_DMN.read_bytes().replace(b"<text>4148</text>", b"<text>4500</text>")
    for decision_id in ("gongzufang_income_line", "gongzufang_eligibility"):
        body = _preview(client, auth, decision_id, raised)
        assert body["cases"] == 5 and body["failed"] == []
        changed = {c["business_key"]: c for c in body["changed"]}
        assert set(changed) == {"BORDER", "POOR", "RICH", "BIG-HOME"}
        assert body["eligibility_changed"] == 1 and body["intermediate_changed"] == 3
        border = changed["BORDER"]
        assert border["eligibility_changed"] is True
        assert (border["outcome"]["eligible_before"], border["outcome"]["eligible_after"]) == (False, True)
        assert border["outcome"]["decision_id"] == "gongzufang_eligibility" and border["outcome"]["source"] == "script"
        assert [(s["decision_id"], s["before"], s["after"]) for s in border["changes"]][0] == (
            "gongzufang_income_line", {"income_line": 4148}, {"income_line": 4500})
        assert [s["decision_id"] for s in border["changes"]] == ["gongzufang_income_line", "gongzufang_eligibility"]
        verdicts = border["changes"][1]["after"]["rule_verdict"]
        assert border["changes"][1]["before"]["rule_verdict"][0] == "fail" and verdicts[0] == "pass"
        for key in ("POOR", "RICH", "BIG-HOME"):
            assert changed[key]["eligibility_changed"] is False
            assert changed[key]["outcome"]["eligible_before"] == changed[key]["outcome"]["eligible_after"]
        assert [s["decision_id"] for s in changed["POOR"]["changes"]] == ["gongzufang_income_line"]
        assert [s["decision_id"] for s in changed["BIG-HOME"]["changes"]] == [
            "gongzufang_income_line", "gongzufang_eligibility"]


@pytest.mark.usefixtures("flow_app")
def test_preview_on_a_real_gongzufang_case_reruns_its_eligibility_summary():
    case = submit("eligible_nuclear")
    complete_task(staff("street", "street_reviewer", case["district"]), case["application_no"], "acceptance",
                  {"decision": "accept", "opinion": "材料齐全"})
    lowered = REAL_DMN.read_bytes()
    for line in (b"4148", b"4563"):
        lowered = lowered.replace(b"<text>" + line + b"</text>", b"<text>100</text>")
    body = decision_preview_service.preview("gongzufang_income_line", lowered, REAL_DMN.name)
    [changed] = body["changed"]
    assert changed["business_key"] == case["application_no"] and changed["eligibility_changed"] is True
    outcome = changed["outcome"]
    assert (outcome["eligible_before"], outcome["eligible_after"], outcome["source"]) == (True, False, "script")
    assert changed["changes"][1]["after"]["rule_code"][0] == "over_income"
