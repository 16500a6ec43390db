"""Decision requirements graphs through the API: a business rule task calls the top decision of
a DMN file and gets it evaluated with its requirements; unsupported DMN is a 422 naming the
element and the construct; the policy-impact preview replays graph decisions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.conftest import fixture_bytes
from tests.support.api import start

MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "dmn"
FACTS = {"Years of Service": 12, "Monthly Income": 2700, "Household Size": 3}


def _deploy(client, headers, dmn: bytes, name: str = "drg_subsidy.dmn", with_process: bool = True):
    files = [(io.BytesIO(dmn), name)]
    if with_process:
        files.append((io.BytesIO(fixture_bytes("drg_subsidy.bpmn")), "drg_subsidy.bpmn"))
    return client.post("/api/v1/process-definitions", headers=headers, data={"files": files},
                       content_type="multipart/form-data")


def test_a_business_rule_task_calls_the_top_decision_of_a_graph(app, client, auth):
    from app.db import db
    from app.models import DecisionEvaluation

    response = _deploy(client, auth(), (MODELS / "drg_subsidy.dmn").read_bytes())
    assert response.status_code == 201, response.get_json()
    assert {i["key"] for i in response.get_json()["items"]} >= {"subsidy", "rate", "per_capita"}
    inst = start(client, auth(), "drg_subsidy", {**FACTS, "unrelated": "x"})
    assert inst["status"] == "completed", inst["incidents"]
    # the table on top (FIRST, rule 1: 2000 * Rate) and the literal invocation decision alone
    assert inst["data"]["subsidy"] == 1000 and inst["data"]["tier"] == "full"
    assert inst["data"]["Rate"] == 0.5
    with db.session() as session:
        rows = {r.decision_id: r for r in session.query(DecisionEvaluation).filter_by(instance_id=inst["id"])}
    assert rows["subsidy"].facts == FACTS  # the input data of the graph, not every task datum
    assert rows["subsidy"].outputs == {"subsidy": 1000, "tier": "full"}
    assert [m["rule_id"] for m in rows["subsidy"].matched] == ["r1"]


@pytest.mark.parametrize(("name", "element_id", "construct"), [
    ("unsupported_service.dmn", "service_1", "decision services are not supported"),
    ("unsupported_conditional.dmn", "cond_1", "boxed conditional"),
    ("unsupported_java.dmn", "java_fn", "functions are not supported"),
    ("unsupported_cycle.dmn", "d_a", "cycle"),
])
def test_unsupported_dmn_is_a_422_naming_element_and_construct(client, auth, name, element_id, construct):
    response = _deploy(client, auth(), (MODELS / name).read_bytes(), name, with_process=False)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert any(e["element_id"] == element_id and construct in e["message"] for e in errors), errors


def test_preview_replays_a_graph_decision_with_an_edited_knowledge_model(client, auth):
    dmn = (MODELS / "drg_subsidy.dmn").read_bytes()
    assert _deploy(client, auth(), dmn).status_code == 201
    for n, years in enumerate((12, 3)):
        start(client, auth(), "drg_subsidy", {**FACTS, "Years of Service": years}, f"G-{n}")
    edited = dmn.replace(b"then 0.5 else 0.3", b"then 0.6 else 0.3")
    response = client.post("/api/v1/decisions/subsidy/preview", headers=auth("policy"),
                           content_type="multipart/form-data", data={"file": (io.BytesIO(edited), "drg_subsidy.dmn")})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["failed"] == []
    changed = {c["business_key"]: c for c in body["changed"]}
    assert set(changed) == {"G-0"}  # 3 years of service keep the 0.3 rate
    assert changed["G-0"]["before"]["subsidy"] == 1000 and changed["G-0"]["after"]["subsidy"] == 1200
