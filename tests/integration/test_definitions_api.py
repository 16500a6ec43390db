"""Deploying BPMN/DMN through the API: versions, content hashes, validation errors."""

from __future__ import annotations

import io

from tests.conftest import deploy_fixture, fixture_bytes


def test_deploy_returns_key_and_version_per_process(client, auth):
    response = deploy_fixture(client, auth("policy"), "smoke.bpmn")
    assert response.status_code == 201
    items = response.get_json()["items"]
    assert [(i["key"], i["version"], i["created"]) for i in items] == [("smoke", 1, True)]


def test_unchanged_content_keeps_its_version_and_a_change_makes_a_new_one(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    again = deploy_fixture(client, auth(), "smoke.bpmn").get_json()["items"][0]
    assert (again["version"], again["created"]) == (1, False)
    changed = fixture_bytes("smoke.bpmn").replace("准备数据".encode(), "准备数据v2".encode())
    response = client.post("/api/v1/process-definitions", headers=auth(), content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(changed), "smoke.bpmn")], "comment": "rename"})
    assert response.get_json()["items"][0]["version"] == 2
    versions = client.get("/api/v1/process-definitions/smoke/versions", headers=auth()).get_json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["comment"] == "rename"
    v1 = client.get("/api/v1/process-definitions/smoke/versions/1", headers=auth()).get_json()
    assert "准备数据v2" not in v1["xml"] and v1["deployed_by"] == "admin"


def test_bpmn_and_dmn_deploy_together_and_list(client, auth):
    response = deploy_fixture(client, auth(), "call_parent.bpmn", "call_child.bpmn", "income_grade.dmn")
    assert response.status_code == 201, response.get_json()
    kinds = {(i["key"], i["kind"]) for i in response.get_json()["items"]}
    assert kinds == {("call_parent", "process"), ("call_child", "process"), ("income_grade", "decision")}
    listed = client.get("/api/v1/process-definitions", headers=auth()).get_json()["items"]
    assert {d["key"] for d in listed} == {"call_parent", "call_child", "income_grade"}
    parent = next(d for d in listed if d["key"] == "call_parent")
    assert parent["dependencies"] == {"processes": ["call_child"], "decisions": ["income_grade"]}


def test_invalid_file_lists_every_error_with_its_element(client, auth):
    response = deploy_fixture(client, auth(), "invalid.bpmn")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    errors = {(e["element_id"], e["severity"]): e["message"] for e in body["errors"]}
    assert "unknown operator 'nosuch/operation'" in errors[("unknown_op", "error")]
    assert "needs parameter(s) value" in errors[("missing_param", "error")]
    assert "import is not allowed" in errors[("imports", "error")]
    assert "not found in forms/" in errors[("no_form_file", "error")]
    assert all(e["file"] == "invalid.bpmn" for e in body["errors"])
    assert client.get("/api/v1/process-definitions", headers=auth()).get_json()["items"] == []


def test_malformed_xml_and_wrong_files_are_422_not_500(client, auth):
    bad = [(io.BytesIO(b"<bpmn:definitions"), "broken.bpmn"), (io.BytesIO(b"hello"), "notes.txt")]
    response = client.post("/api/v1/process-definitions", headers=auth(), content_type="multipart/form-data",
                           data={"files": bad})
    assert response.status_code == 422
    messages = {e["file"]: e["message"] for e in response.get_json()["errors"]}
    assert "not well-formed XML" in messages["broken.bpmn"]
    assert "only .bpmn and .dmn" in messages["notes.txt"]


def test_call_activity_to_an_unknown_process_is_reported(client, auth):
    response = deploy_fixture(client, auth(), "call_parent.bpmn", "income_grade.dmn")
    assert response.status_code == 422
    assert any("call_child" in e["message"] for e in response.get_json()["errors"])


def test_only_policy_staff_deploy(client, auth):
    response = deploy_fixture(client, auth("reviewer"), "smoke.bpmn")
    assert response.status_code == 403
    assert response.get_json()["error_code"] == "forbidden"


def test_validate_endpoint_reports_without_deploying(client, auth):
    data = {"files": [(io.BytesIO(fixture_bytes("invalid.bpmn")), "invalid.bpmn")]}
    body = client.post("/api/v1/process-definitions/validate", headers=auth(), data=data,
                       content_type="multipart/form-data").get_json()
    assert body["valid"] is False and len(body["problems"]) >= 4
    assert client.get("/api/v1/process-definitions", headers=auth()).get_json()["items"] == []


def test_schema_violations_are_all_listed_with_lines(client, auth):
    xml = fixture_bytes("smoke.bpmn").replace(b"<spiffworkflow:parameters>", b"<spiffworkflow:params>", 2) \
        .replace(b"</spiffworkflow:parameters>", b"</spiffworkflow:params>", 2)
    response = client.post("/api/v1/process-definitions", headers=auth(), content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(xml), "smoke.bpmn")]})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert len(errors) >= 2
    assert {e["element_id"] for e in errors} >= {"call_a", "call_b"}
    assert all(isinstance(e["line"], int) for e in errors)


def test_a_dangling_sequence_flow_reference_is_an_error(client, auth):
    xml = fixture_bytes("smoke.bpmn").replace(b'<bpmn:sequenceFlow id="f11" sourceRef="review" targetRef="end" />', b"")
    response = client.post("/api/v1/process-definitions", headers=auth(), content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(xml), "smoke.bpmn")]})
    assert response.status_code == 422
    problems = {(e["element_id"], e["message"]) for e in response.get_json()["errors"]}
    assert ("review", "outgoing sequence flow 'f11' does not exist") in problems
    assert ("end", "incoming sequence flow 'f11' does not exist") in problems


def test_a_start_resolves_the_newest_version_of_everything_it_calls(app, client, auth):
    import pytest
    from sqlalchemy import select

    from app.db import db
    from app.models import ProcessDefinition
    from app.services.definition_service import latest, resolve_bundle
    from app.services.errors import DefinitionNotFound

    deploy_fixture(client, auth(), "call_parent.bpmn", "call_child.bpmn", "income_grade.dmn")
    changed = fixture_bytes("call_child.bpmn").replace(b'name="', b'name="v2 ', 1)
    client.post("/api/v1/process-definitions", headers=auth(), content_type="multipart/form-data",
                data={"files": [(io.BytesIO(changed), "call_child.bpmn")]})
    with db.session() as session:
        ids = {(d.key, d.version): d.id for d in session.scalars(select(ProcessDefinition))}
        parent = latest(session, "call_parent")
        assert resolve_bundle(session, parent) == sorted(
            [ids[("call_parent", 1)], ids[("call_child", 2)], ids[("income_grade", 1)]])
        parent.dependencies = {"processes": ["call_child", "not_deployed"], "decisions": ["income_grade"]}
        with pytest.raises(DefinitionNotFound, match="not_deployed"):
            resolve_bundle(session, parent)
