"""Failures: sandbox escapes and endless scripts become incidents; failed jobs retry or stop."""

from __future__ import annotations

import pytest

from tests.conftest import deploy_fixture
from tests.support import operators
from tests.support.api import instance, start


@pytest.fixture(autouse=True)
def switch_down():
    operators.SWITCH["down"] = True
    yield
    operators.SWITCH["down"] = True


def test_sandbox_escape_in_a_script_becomes_an_incident_and_the_server_is_unharmed(client, auth):
    deploy_fixture(client, auth(), "escape.bpmn")
    inst = start(client, auth(), "escape", {"attack": "x"})
    assert inst["status"] == "running"
    [incident] = inst["incidents"]
    assert incident["kind"] == "script_error" and incident["bpmn_id"] == "attempt"
    assert "not safe" in incident["message"]
    assert "probe" not in inst["data"]
    assert client.get("/api/v1/process-definitions", headers=auth()).status_code == 200
    listed = client.get("/api/v1/incidents", headers=auth("operator")).get_json()["items"]
    assert [i["id"] for i in listed] == [incident["id"]]


def test_an_endless_script_is_stopped_by_the_time_limit(client, auth):
    deploy_fixture(client, auth(), "busy_loop.bpmn")
    inst = start(client, auth(), "busy_loop", {"limit": 1})
    [incident] = inst["incidents"]
    assert "longer than its limit" in incident["message"] and incident["line_number"] >= 2


def test_script_incident_retry_runs_the_script_again(client, auth):
    deploy_fixture(client, auth(), "escape.bpmn")
    inst = start(client, auth(), "escape", {"attack": "x"})
    incident_id = inst["incidents"][0]["id"]
    retried = client.post(f"/api/v1/incidents/{incident_id}/retry", headers=auth("operator"))
    assert retried.status_code == 200 and retried.get_json()["status"] == "resolved"
    after = instance(client, auth(), inst["id"])
    assert len([i for i in after["incidents"] if i["status"] == "open"]) == 1  # fails again, honestly
    again = client.post(f"/api/v1/incidents/{incident_id}/retry", headers=auth("operator"))
    assert again.status_code == 409


def test_a_source_failing_every_retry_without_a_boundary_becomes_a_retryable_incident(client, auth):
    deploy_fixture(client, auth(), "service_failures.bpmn")
    calls_before = operators.CALLS.get("test/switch", 0)
    inst = start(client, auth(), "service_failures")
    [call] = inst["service_calls"]
    assert call["state"] == "incident" and call["attempts"] == 2 and call["error_code"] == "SourceUnavailable"
    assert operators.CALLS["test/switch"] - calls_before == 2
    [incident] = inst["incidents"]
    assert incident["kind"] == "job_failed" and incident["error_code"] == "SourceUnavailable"
    operators.SWITCH["down"] = False
    assert client.post(f"/api/v1/incidents/{incident['id']}/retry", headers=auth()).status_code == 200
    from tests.support.settle import settle

    settle()
    done = instance(client, auth(), inst["id"])
    assert done["status"] == "completed" and done["data"]["result"] == {"ok": True}


def test_a_source_failing_every_retry_ends_at_the_error_boundary(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", {"members": [{"income": 1}], "district": "渝中区"})
    call_b = next(c for c in inst["service_calls"] if c["bpmn_id"] == "call_b")
    assert call_b["state"] == "applied" and call_b["attempts"] == 3
    assert inst["incidents"] == []
    assert [t["bpmn_id"] for t in inst["ready_tasks"]] == ["manual_b"]


def test_incidents_need_an_operator(client, auth):
    assert client.get("/api/v1/incidents", headers=auth("reviewer")).status_code == 403
    assert client.post("/api/v1/incidents/999/retry", headers=auth("operator")).status_code == 404
