"""Timers (boundary, intermediate, start) and messages correlated by name + business key."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.db import db
from app.models import ProcessInstance, StartTimer
from app.services import scheduler_service, timer_service
from tests.conftest import deploy_fixture
from tests.support.api import complete, instance, ready, start


def _waiting(client, auth, instance_id):
    return {e["bpmn_id"]: e for e in instance(client, auth(), instance_id)["waiting_events"]}


def test_boundary_timer_shows_its_due_time_and_fires(client, auth):
    deploy_fixture(client, auth(), "timers_messages.bpmn")
    inst = start(client, auth(), "timers_messages", {}, "CASE-1")
    deadline = _waiting(client, auth, inst["id"])["approve_deadline"]
    assert deadline["type"] == "timer"
    due = datetime.fromisoformat(deadline["due_at"])
    assert timedelta(days=3) <= due - datetime.now(due.tzinfo) <= timedelta(days=12)
    with db.session() as session:
        assert session.get(ProcessInstance, inst["id"]).next_timer_due_at == due
    assert timer_service.fire_due_timers() == 0  # nothing is due yet
    fired = client.post(f"/api/v1/process-instances/{inst['id']}/timers/fire", headers=auth("operator"))
    assert fired.status_code == 200 and fired.get_json()["fired"] == 1
    after = instance(client, auth(), inst["id"])
    assert after["ready_tasks"] == [] and after["data"]["late"] is True
    assert "wait_docs" in _waiting(client, auth, inst["id"])


def test_message_correlates_by_business_key_then_intermediate_timer_waits(client, auth):
    deploy_fixture(client, auth(), "timers_messages.bpmn")
    a = start(client, auth(), "timers_messages", {}, "CASE-A")
    b = start(client, auth(), "timers_messages", {}, "CASE-B")
    for inst in (a, b):
        complete(client, auth(), ready(client, auth(), inst["id"])[0]["id"])
    wrong = client.post("/api/v1/messages", json={"name": "documents_received", "business_key": "CASE-X",
                                                  "payload": {}}, headers=auth())
    assert wrong.status_code == 404 and wrong.get_json()["error_code"] == "message_not_correlated"
    sent = client.post("/api/v1/messages", json={"name": "documents_received", "business_key": "CASE-A",
                                                 "payload": {"docs": ["户口本"]}}, headers=auth())
    assert sent.status_code == 202 and sent.get_json()["correlated"] == [a["id"]]
    assert instance(client, auth(), a["id"])["data"]["docs"] == ["户口本"]
    assert "cooling" in _waiting(client, auth, a["id"]) and "wait_docs" in _waiting(client, auth, b["id"])
    with db.transaction() as session:  # let an hour pass
        row = session.get(ProcessInstance, a["id"])
        row.next_timer_due_at = row.next_timer_due_at - timedelta(hours=2)
    client.post(f"/api/v1/process-instances/{a['id']}/timers/fire", headers=auth())
    assert instance(client, auth(), a["id"])["status"] == "completed"
    assert instance(client, auth(), b["id"])["status"] == "running"


def test_scheduler_fires_only_due_instances(client, auth, monkeypatch):
    deploy_fixture(client, auth(), "timers_messages.bpmn")
    a = start(client, auth(), "timers_messages", {}, "T-A")
    b = start(client, auth(), "timers_messages", {}, "T-B")
    loaded = []
    from app.services import timer_service as ts

    original = ts.with_instance
    monkeypatch.setattr(ts, "with_instance", lambda iid, action, actor: loaded.append(iid) or original(
        iid, action, actor))
    far = datetime.now().astimezone() + timedelta(days=40)
    assert timer_service.fire_due_timers(now=far - timedelta(days=60)) == 0
    assert loaded == []
    with db.transaction() as session:
        session.get(ProcessInstance, a["id"]).next_timer_due_at = far - timedelta(days=50)
    assert timer_service.fire_due_timers(now=far - timedelta(days=49)) == 1
    assert loaded == [a["id"]] and b["id"] not in loaded


def test_message_start_event_starts_an_instance(client, auth):
    deploy_fixture(client, auth(), "message_start.bpmn")
    sent = client.post("/api/v1/messages", json={"name": "objection_filed", "business_key": "GS-1",
                                                 "payload": {"reason": "收入不实"}}, headers=auth())
    assert sent.status_code == 202
    started = sent.get_json()["started"]
    assert len(started) == 1
    inst = instance(client, auth(), started[0])
    assert inst["business_key"] == "GS-1" and inst["data"]["reason"] == "收入不实"
    assert [t["bpmn_id"] for t in inst["ready_tasks"]] == ["investigate"]


def test_timer_start_event_starts_one_instance_per_due_time(client, auth):
    deploy_fixture(client, auth(), "timer_start.bpmn")
    with db.session() as session:
        row = session.get(StartTimer, "timer_start")
    assert row is not None and row.next_due_at > datetime.now(row.next_due_at.tzinfo) - timedelta(days=1)
    first = row.next_due_at
    started = timer_service.fire_start_timers(now=first)
    assert len(started) == 1
    inst = instance(client, auth(), started[0])
    assert inst["status"] == "completed" and inst["data"]["swept"] is True
    with db.session() as session:
        assert session.get(StartTimer, "timer_start").next_due_at == first + timedelta(days=1)
    assert timer_service.fire_start_timers(now=first + timedelta(hours=1)) == []


def test_scheduler_tick_runs_clean_on_an_idle_system(app):
    assert scheduler_service.tick() == {"dispatched": 0, "reclaimed": 0, "requeued": 0, "resumed": 0,
                                        "timers": 0, "started": 0, "stuck": 0, "audit": 1,  # the first check runs
                                        "ledger": 0, "supervision": 0}


def test_event_based_gateway_races_a_message_against_a_deadline(client, auth):
    deploy_fixture(client, auth(), "event_gateway.bpmn")
    replied = start(client, auth(), "event_gateway", {}, "EG-1")
    silent = start(client, auth(), "event_gateway", {}, "EG-2")
    waits = {e["type"]: e for e in instance(client, auth(), replied["id"])["waiting_events"]}
    assert waits["message"]["event_name"] == "reply_received" and waits["timer"]["due_at"]
    sent = client.post("/api/v1/messages", json={"name": "reply_received", "business_key": "EG-1",
                                                 "payload": {"answer": "同意"}}, headers=auth())
    assert sent.status_code == 202 and sent.get_json()["correlated"] == [replied["id"]]
    done = instance(client, auth(), replied["id"])
    assert done["status"] == "completed" and done["data"]["answer"] == "同意"
    client.post(f"/api/v1/process-instances/{silent['id']}/timers/fire", headers=auth())
    assert instance(client, auth(), silent["id"])["status"] == "completed"
    from tests.support.api import history_ids

    assert history_ids(client, auth(), replied["id"])[-2:] == ["got_reply", "end_reply"]
    assert history_ids(client, auth(), silent["id"])[-2:] == ["timeout", "end_timeout"]
    late = client.post("/api/v1/messages", json={"name": "reply_received", "business_key": "EG-2",
                                                 "payload": {}}, headers=auth())
    assert late.status_code == 404


def test_a_non_interrupting_message_boundary_fires_for_every_message(client, auth):
    deploy_fixture(client, auth(), "nonint_message.bpmn")
    inst = start(client, auth(), "nonint_message", {}, "GS-9")
    for objector in ("甲", "乙"):
        sent = client.post("/api/v1/messages", json={"name": "objection_filed", "business_key": "GS-9",
                                                     "payload": {"objector": objector}}, headers=auth())
        assert sent.status_code == 202
    investigations = ready(client, auth(), inst["id"], "investigate")
    assert len(investigations) == 2
    details = {t["id"]: t for t in investigations}
    assert len(details) == 2
    publicity = ready(client, auth(), inst["id"], "publicity")[0]
    complete(client, auth(), publicity["id"])
    late = client.post("/api/v1/messages", json={"name": "objection_filed", "business_key": "GS-9",
                                                 "payload": {}}, headers=auth())
    assert late.status_code == 404  # the 公示 is over: the boundary is no longer armed
    for task in investigations:
        assert complete(client, auth(), task["id"]).status_code == 200
    assert instance(client, auth(), inst["id"])["status"] == "completed"


def test_staff_messages_reach_only_cases_of_their_district_and_not_applicants_answers(client, auth):
    deploy_fixture(client, auth(), "timers_messages.bpmn")
    case = start(client, auth(), "timers_messages", {"district": "渝中区"}, "CASE-YZ")
    complete(client, auth(), ready(client, auth(), case["id"])[0]["id"])
    message = {"name": "documents_received", "business_key": "CASE-YZ", "payload": {"docs": ["伪造"]}}
    other_district = client.post("/api/v1/messages", json=message, headers=auth("reviewer_jb"))
    assert other_district.status_code == 404
    assert "wait_docs" in _waiting(client, auth, case["id"])  # nothing was delivered
    own = client.post("/api/v1/messages", json=dict(message, payload={"docs": ["户口本"]}), headers=auth("reviewer"))
    assert own.status_code == 202 and own.get_json()["correlated"] == [case["id"]]
    answer = client.post("/api/v1/messages", json={"name": "supplement_submitted", "business_key": "CASE-YZ",
                                                   "payload": {"members": []}}, headers=auth("reviewer"))
    assert answer.status_code == 403 and "/supplement" in answer.get_json()["detail"]
