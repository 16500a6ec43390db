"""Admin pages: incidents with retry, queue depths, connector health, process versions."""

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from app.engine.operators import Operator, registry
from app.models import Incident
from app.services import definition_service, instance_service
from tests.conftest import fixture_bytes
from tests.support import operators
from tests.support.settle import settle


def test_an_operator_retries_an_incident_from_the_page(web_app, as_user):
    definition_service.deploy([("service_failures.bpmn", fixture_bytes("service_failures.bpmn"))], "test")
    operators.SWITCH["down"] = True
    instance = instance_service.start_instance("service_failures", {"value": 1})
    settle()
    with db.session() as session:
        incident = session.scalar(select(Incident).where(Incident.instance_id == instance.id,
                                                         Incident.status == "open"))
    assert incident is not None
    b = as_user("operator")
    page = b.get("/admin/incidents").get_data(as_text=True)
    assert f'data-testid="retry-{incident.id}"' in page and "SourceUnavailable" in page
    operators.SWITCH["down"] = False
    try:
        assert b.post(f"/admin/incidents/{incident.id}/retry").status_code == 302
        settle()
    finally:
        operators.SWITCH["down"] = True
    with db.session() as session:
        assert session.get(Incident, incident.id).status == "resolved"
    assert f'data-testid="retry-{incident.id}"' not in b.get("/admin/incidents").get_data(as_text=True)
    assert "<th>已完成</th>" in b.get("/admin/queues").get_data(as_text=True)  # the applied jobs, in words


def test_connector_health_runs_each_connectors_test_connection(web_app, as_user):
    calls = []

    def check():
        calls.append(1)
        return False, "sandbox says no"

    registry.register(Operator("webtest_probe/ping", lambda p, c: {}, kind="connector", health_check=check))
    registry.register(Operator("webtest_probe/pong", lambda p, c: {}, kind="connector", health_check=check))
    try:
        b = as_user("integrator")
        unchecked = b.get("/admin/connectors").get_data(as_text=True)
        assert 'data-connector="webtest_probe"' in unchecked and calls == []
        checked = b.get("/admin/connectors?check=1").get_data(as_text=True)
        assert "sandbox says no" in checked and "<code>ping</code>, <code>pong</code>" in checked and len(calls) == 1
    finally:
        registry.unregister("webtest_probe/ping")
        registry.unregister("webtest_probe/pong")


def test_process_versions_list_and_show_a_version(web_app, as_user):
    b = as_user("policy")
    listing = b.get("/admin/processes").get_data(as_text=True)
    assert "web_review" in listing
    page = b.get("/admin/processes/web_review").get_data(as_text=True)
    assert "v1" in page and "definition-xml" in page and "street_review" in page
    assert as_user("street_yz").get("/admin/processes").status_code == 403


def test_an_operator_lets_a_waiting_timer_expire_from_the_page(web_app, as_user):
    definition_service.deploy([("timers_messages.bpmn", fixture_bytes("timers_messages.bpmn"))], "test")
    instance = instance_service.start_instance("timers_messages", {}, business_key="CASE-T1")
    b = as_user("operator")
    assert 'data-testid="fire-CASE-T1"' in b.get("/admin/timers").get_data(as_text=True)
    assert b.post(f"/admin/timers/{instance.id}/fire").status_code == 302
    data = instance_service.get_instance(instance.id)["data"]
    assert data["late"] is True
    assert as_user("street_yz").post(f"/admin/timers/{instance.id}/fire").status_code == 403


def test_allocation_page_is_for_officers_and_checks_the_round_form(real_forms, as_user):
    city = as_user("city")
    page = city.get("/allocation").get_data(as_text=True)
    assert "发起配租" in page and 'name="units.0.code"' in page
    response = city.post("/allocation/rounds", data={"housing_type": "gongzufang", "district": "渝中区",
                                                      "method": "selection"})
    assert response.status_code == 422 and "data-error-for" in response.get_data(as_text=True)
    assert as_user("street_yz").get("/allocation").status_code == 403
    assert as_user("applicant").get("/portal/leases/ZL2026-000001/exit").status_code == 404
