"""Who may start which process: the start roles a diagram declares, scoped to the caller's district."""

from __future__ import annotations

from app.db import db
from app.models import ProcessInstance
from tests.conftest import deploy_fixture, fixture_bytes
from tests.support.api import instance, start


def _deploy(client, auth, name: str, content: bytes):
    import io

    return client.post("/api/v1/process-definitions", headers=auth(), content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(content), name)]})


def _post(client, headers, key: str, data: dict | None = None, business_key: str | None = None):
    return client.post("/api/v1/process-instances", headers=headers,
                       json={"process_key": key, "data": data or {}, "business_key": business_key})


def test_a_process_without_start_roles_is_started_by_nobody_through_the_api(client, auth):
    deploy_fixture(client, auth(), "call_parent.bpmn", "call_child.bpmn", "income_grade.dmn")
    for who in ("reviewer", "admin"):
        refused = _post(client, auth(who), "call_child", {"district": "渝中区"})
        assert refused.status_code == 403, refused.get_json()
        problem = refused.get_json()
        assert refused.mimetype == "application/problem+json"
        assert problem["error_code"] == "start_not_permitted" and problem["process_key"] == "call_child"
        assert problem["required_roles"] == [] and "call_child" in problem["detail"]
    with db.session() as session:
        assert session.query(ProcessInstance).count() == 0


def test_a_role_the_start_event_does_not_name_is_refused_and_named(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")  # startRoles: reviewer, district_reviewer
    refused = _post(client, auth("applicant"), "smoke", {"district": "渝中区"})
    assert refused.status_code == 403
    problem = refused.get_json()
    assert problem["error_code"] == "start_not_permitted" and problem["process_key"] == "smoke"
    assert problem["required_roles"] == ["district_reviewer", "reviewer"]
    assert "reviewer" in problem["detail"]


def test_a_reviewer_starts_only_for_their_own_district(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    other = _post(client, auth("reviewer"), "smoke", {"members": [{"income": 1}], "district": "江北区"})
    assert other.status_code == 403 and other.get_json()["error_code"] == "start_not_permitted"
    assert "江北区" in other.get_json()["detail"]
    unset = start(client, auth("reviewer"), "smoke", {"members": [{"income": 1}]})
    assert unset["data"]["district"] == "渝中区"  # the reviewer's own district, so scoping holds
    assert client.get(f"/api/v1/process-instances/{unset['id']}", headers=auth("reviewer_jb")).status_code == 404
    mine = start(client, auth("reviewer"), "smoke", {"members": [{"income": 1}], "district": "渝中区"})
    assert mine["status"] == "running"


def test_start_roles_are_shown_with_the_definition(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn", "call_child.bpmn")
    items = {d["key"]: d for d in client.get("/api/v1/process-definitions", headers=auth()).get_json()["items"]}
    assert items["smoke"]["start_events"]["start_roles"] == ["district_reviewer", "reviewer"]
    assert items["call_child"]["start_events"]["start_roles"] == []


def test_malformed_start_roles_block_the_deploy_with_a_message(client, auth):
    bad = fixture_bytes("smoke.bpmn").replace(b'value="reviewer, district_reviewer"', b'value=" , "')
    response = _deploy(client, auth, "smoke.bpmn", bad)
    assert response.status_code == 422
    problems = response.get_json()["errors"]
    assert any(p["element_id"] == "start" and "startRoles" in p["message"] for p in problems), problems
    odd = fixture_bytes("smoke.bpmn").replace(b'value="reviewer, district_reviewer"', b'value="reviewer; drop"')
    response = _deploy(client, auth, "smoke.bpmn", odd)
    assert response.status_code == 422
    assert any("reviewer; drop" in p["message"] for p in response.get_json()["errors"])


def test_a_message_starts_a_process_only_for_its_start_roles(client, auth):
    tip = fixture_bytes("message_start.bpmn").replace(b'name="objection_filed"', b'name="tip_received"')
    assert _deploy(client, auth, "message_start.bpmn", tip).status_code == 201  # startRoles: district_reviewer
    message = {"name": "tip_received", "business_key": "GS-9", "payload": {"district": "渝中区"}}
    refused = client.post("/api/v1/messages", json=message, headers=auth("reviewer"))
    assert refused.status_code == 403 and refused.get_json()["error_code"] == "start_not_permitted"
    assert refused.get_json()["process_key"] == "message_start"
    with db.session() as session:
        assert session.query(ProcessInstance).count() == 0
    started = client.post("/api/v1/messages", json=message, headers=auth())
    assert started.status_code == 202 and len(started.get_json()["started"]) == 1
    assert instance(client, auth(), started.get_json()["started"][0])["business_key"] == "GS-9"


def test_timers_fire_early_only_for_operators_of_the_instance_district(app, client, auth):
    from app.auth.identity import Identity
    from tests.support.users import token_for

    deploy_fixture(client, auth(), "timers_messages.bpmn")
    case = start(client, auth(), "timers_messages", {"district": "渝中区"}, "CASE-T")
    url = f"/api/v1/process-instances/{case['id']}/timers/fire"
    assert client.post(url, headers=auth("reviewer")).status_code == 403
    ops_jb = Identity("ops_jb", "江北运维", roles=("operator",), groups=("operator",), district="江北区")
    token = token_for(app, ops_jb)
    elsewhere = client.post(url, headers={"Authorization": f"Bearer {token}"})
    assert elsewhere.status_code == 404 and elsewhere.get_json()["error_code"] == "instance_not_found"
    assert client.post(url, headers=auth("operator")).status_code == 200
