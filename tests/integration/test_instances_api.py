"""Running diagrams through the generic API: gateways, service tasks, call activities, DMN."""

from __future__ import annotations

import io

from app.db import db
from app.engine import serializer
from app.factory import create_app
from app.models import Job
from app.services import audit_service
from tests.conftest import bearer, close, deploy_fixture, fixture_bytes, make_settings, truncate
from tests.support.api import complete, history_ids, instance, ready, start

MEMBERS = {"members": [{"income": 1000}, {"income": 2000}], "district": "渝中区"}


def test_parallel_service_tasks_error_boundary_and_user_tasks_run_to_the_end(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", MEMBERS, "BK-1")
    assert inst["status"] == "running" and inst["version"] == 1 and inst["business_key"] == "BK-1"
    calls = {c["bpmn_id"]: c for c in inst["service_calls"]}
    assert calls["call_a"]["state"] == "applied"
    assert calls["call_b"]["state"] == "applied" and calls["call_b"]["attempts"] == 3
    assert calls["call_b"]["error_code"] == "SourceUnavailable"
    manual = ready(client, auth(), inst["id"], "manual_b")
    assert len(manual) == 1 and manual[0]["candidate_groups"] == ["reviewers", "supervisors"]
    assert complete(client, auth(), manual[0]["id"], {"checked": True}).status_code == 200
    review = ready(client, auth(), inst["id"], "review")[0]
    assert review["form_key"] == "test-review.schema.json"
    assert review["instructions"] == "请审核 2 位成员" and review["due_at"]
    assert complete(client, auth(), review["id"], {"decision": "approve", "opinion": "同意"}).status_code == 200
    done = instance(client, auth(), inst["id"])
    assert done["status"] == "completed"
    assert done["data"]["a_result"] == {"echo": 2, "attempt": 1}
    assert history_ids(client, auth(), inst["id"]) == [
        "start", "prepare", "split", "call_a", "b_failed", "manual_b", "merge_b", "join", "decide", "review", "end"]


def test_history_names_the_actor_of_each_user_task(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", MEMBERS)
    complete(client, auth("reviewer"), ready(client, auth(), inst["id"], "manual_b")[0]["id"])
    items = client.get(f"/api/v1/process-instances/{inst['id']}/history", headers=auth()).get_json()["items"]
    actors = {i["bpmn_id"]: i["actor"] for i in items}
    assert actors["manual_b"] == "reviewer" and actors["prepare"] == "system"
    assert {i["type"] for i in items} >= {"startEvent", "scriptTask", "serviceTask", "manualTask"}
    stamps = [i["completed_at"] for i in items]
    assert stamps == sorted(stamps)


def test_exclusive_gateway_default_flow(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", {"members": [{"income": 10}], "district": "渝中区"})
    complete(client, auth(), ready(client, auth(), inst["id"], "manual_b")[0]["id"])
    assert instance(client, auth(), inst["id"])["status"] == "completed"
    assert history_ids(client, auth(), inst["id"])[-2:] == ["decide", "end_small"]


def test_call_activity_and_decision_table(client, auth):
    deploy_fixture(client, auth(), "call_parent.bpmn", "call_child.bpmn", "income_grade.dmn")
    inst = start(client, auth(), "call_parent", {"income": 3000})
    task = ready(client, auth(), inst["id"], "c_review")[0]
    assert complete(client, auth(), task["id"], {}).status_code == 200
    done = instance(client, auth(), inst["id"])
    assert done["status"] == "completed"
    assert done["data"]["level"] == "low" and done["data"]["child_result"]["echo"] == "low"
    assert history_ids(client, auth(), inst["id"]) == [
        "start", "grade", "c_start", "c_call", "c_review", "c_end", "child", "end"]


def test_running_instances_keep_their_version(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    old = start(client, auth(), "smoke", MEMBERS)
    changed = fixture_bytes("smoke.bpmn").replace(b"count &gt; 1", b"count &gt; 100")
    client.post("/api/v1/process-definitions", headers=auth(), content_type="multipart/form-data",
                data={"files": [(io.BytesIO(changed), "smoke.bpmn")]})
    new = start(client, auth(), "smoke", MEMBERS)
    assert (old["version"], new["version"]) == (1, 2)
    for inst in (old, new):
        complete(client, auth(), ready(client, auth(), inst["id"], "manual_b")[0]["id"])
    assert [t["bpmn_id"] for t in ready(client, auth(), old["id"])] == ["review"]
    assert instance(client, auth(), new["id"])["status"] == "completed"


def test_each_service_task_becomes_one_outbox_job_with_an_idempotency_key(app, client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", MEMBERS)
    with db.session() as session:
        jobs = session.query(Job).filter_by(instance_id=inst["id"]).all()
    assert sorted(j.operator for j in jobs) == ["test/down", "test/echo"]
    assert {j.idempotency_key for j in jobs} == {f"{inst['id']}:{j.task_id}" for j in jobs}


def test_audit_trail_is_hash_chained(app, client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", MEMBERS)
    complete(client, auth(), ready(client, auth(), inst["id"], "manual_b")[0]["id"])
    with db.session() as session:
        assert audit_service.verify_chain(session, "process_instance", inst["id"])
        from app.models import AuditEvent

        event = session.query(AuditEvent).filter_by(subject_id=inst["id"], action="task.completed").one()
    with db.transaction() as session:
        session.get(AuditEvent, event.id).actor = "someone-else"
    with db.session() as session:
        assert not audit_service.verify_chain(session, "process_instance", inst["id"])


def test_data_is_masked_unless_a_privileged_role_asks(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    data = dict(MEMBERS, applicant={"id_number": "110105199001011234"})
    inst = start(client, auth(), "smoke", data)
    masked = instance(client, auth(), inst["id"])["data"]["applicant"]["id_number"]
    assert masked == "110105********1234"
    full = client.get(f"/api/v1/process-instances/{inst['id']}?full_ids=true", headers=auth()).get_json()
    assert full["data"]["applicant"]["id_number"] == "110105199001011234"
    reviewer = client.get(f"/api/v1/process-instances/{inst['id']}?full_ids=true",
                          headers=auth("reviewer")).get_json()
    assert reviewer["data"]["applicant"]["id_number"] == "110105********1234"


def test_a_diagram_exported_by_bpmn_js_runs_inclusive_gateways_and_subprocesses(client, auth):
    response = deploy_fixture(client, auth(), "bpmnjs_export.bpmn")
    assert response.status_code == 201
    warnings = {w["element_id"] for w in response.get_json()["warnings"]}
    assert {"Activity_a", "Activity_b"} <= warnings  # user tasks without a form are allowed, but noted
    inst = start(client, auth(), "Process_bpmnjs", {"need_a": True, "need_b": False, "amount": 21})
    tasks = ready(client, auth(), inst["id"])
    assert [t["bpmn_id"] for t in tasks] == ["Activity_a"] and tasks[0]["candidate_groups"] == ["*"]
    assert complete(client, auth("reviewer"), tasks[0]["id"]).status_code == 200
    done = instance(client, auth(), inst["id"])
    assert done["status"] == "completed" and done["data"]["total"] == 42
    assert history_ids(client, auth(), inst["id"])[-3:] == ["Event_sub_end", "Activity_sub", "Event_end"]


def test_a_start_whose_deployed_bundle_no_longer_compiles_is_a_conflict_not_a_500(client, auth, monkeypatch):
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

    from app.services import instance_service

    deploy_fixture(client, auth(), "smoke.bpmn")

    def unusable(*_args, **_kwargs):
        raise ValidationException("KeyError('bonus')")

    monkeypatch.setattr(instance_service, "load_bundle", unusable)
    response = client.post("/api/v1/process-instances", json={"process_key": "smoke", "data": {}}, headers=auth())
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["error_code"] == "conflict" and "请重新部署后再启动" in body["detail"], body


def test_a_start_is_answered_from_its_own_step_as_a_later_read_shows_it(pg_url, redis_url, monkeypatch):
    """With jobs queued for workers (none runs here), the 201 is what the start committed: the
    same as reading the instance afterwards, without loading its state once more."""
    application = create_app(make_settings(pg_url, job_runner="rq", redis_url=redis_url))
    try:
        with application.app_context():
            client = application.test_client()
            headers = bearer(application)
            deploy_fixture(client, headers, "smoke.bpmn")
            loads = []
            original = serializer.loads
            monkeypatch.setattr(serializer, "loads", lambda *a, **k: loads.append(1) or original(*a, **k))
            answer = client.post("/api/v1/process-instances", headers=headers,
                                 json={"process_key": "smoke", "data": MEMBERS, "business_key": "BK-RQ"})
            assert answer.status_code == 201, answer.get_json()
            assert loads == []  # the run in hand answered; the state was not read back
            started = answer.get_json()
            assert answer.headers["Location"] == f"/api/v1/process-instances/{started['id']}"
            assert {c["bpmn_id"]: c["state"] for c in started["service_calls"]} == {
                "call_a": "queued", "call_b": "queued"}
            assert started["status"] == "running" and started["business_key"] == "BK-RQ"
            assert started["data"]["members"] == MEMBERS["members"] and started["ready_tasks"] == []
            assert instance(client, headers, started["id"]) == started
            assert loads == [1]
            # waiting for a message and a deadline at once (an event-based gateway): the same two
            deploy_fixture(client, headers, "event_gateway.bpmn")
            racing = client.post("/api/v1/process-instances", headers=headers,
                                 json={"process_key": "event_gateway", "data": {}, "business_key": "EG-RQ"})
            assert racing.status_code == 201 and loads == [1]
            waits = racing.get_json()["waiting_events"]
            assert sorted(e["type"] for e in waits) == ["message", "timer"] and all(e["task_id"] for e in waits)
            assert instance(client, headers, racing.get_json()["id"]) == racing.get_json()
    finally:
        close(application)
        truncate(pg_url)
