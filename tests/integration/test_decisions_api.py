"""Business rule tasks run FEEL tables drawn in dmn-js; broken tables are refused at deploy."""

from __future__ import annotations

import io

import pytest

from tests.conftest import deploy_fixture, fixture_bytes
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
