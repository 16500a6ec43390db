"""The stuck-case watchdog: an instance that waits on nothing gets exactly one incident, shown
in the API and on the admin page, and retrying it re-runs the engine steps.

The stuck instance is made the way production made them: a countersign whose children were
completed on specs that lacked SpiffWorkflow's merge callback (as cached specs did before the
host connected it), so no signature was merged and the case waited on nothing at 会签.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import db
from app.engine import parser as engine_parser
from app.engine.bundle import bundles
from app.models import AuditEvent, HumanTask, Incident, Job
from app.services import demo_service, incident_service, instance_service, scheduler_service, task_service
from tests.conftest import IDENTITIES, bearer, deploy_fixture
from tests.web.conftest import Browserless

COUNTERSIGN = Path(__file__).resolve().parents[1] / "processes" / "fixtures" / "countersign_mi.bpmn"
DEPARTMENTS = {"minzheng": {"name": "民政", "group": "dept_minzheng"},
               "zhujian": {"name": "住建", "group": "dept_zhujian"},
               "renshe": {"name": "人社", "group": "dept_renshe"}}


@pytest.fixture
def countersign(client, app):
    response = client.post("/api/v1/process-definitions", headers=bearer(app, "policy"),
                           data={"files": [(io.BytesIO(COUNTERSIGN.read_bytes()), "countersign_mi.bpmn")]},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    yield
    bundles.clear()


def _ready(instance_id: str) -> list[HumanTask]:
    with db.session() as session:
        return list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                            HumanTask.status == "ready")))


def _stuck_countersign(monkeypatch) -> str:
    """Start a countersign, then sign it on specs without the merge callback."""
    inst = instance_service.start_instance("countersign_mi", {"departments": DEPARTMENTS, "required": 3}, "S-1")
    assert len(_ready(inst.id)) == 3
    with monkeypatch.context() as m:
        m.setattr(engine_parser, "link_like_the_serializer", lambda spec: None)
        bundles.clear()  # like a web process that did not expand the countersign
        for n, task in enumerate(_ready(inst.id)):
            task_service.complete(IDENTITIES["admin"], task.id,
                                  {"signature": {"decision": "approve", "opinion": f"意见{n}"}})
    bundles.clear()
    assert _ready(inst.id) == [] and instance_service.get_instance(inst.id)["status"] == "running"
    return inst.id


def test_an_instance_that_waits_on_nothing_gets_one_incident_and_retry_moves_it_on(app, client, countersign,
                                                                                   monkeypatch):
    instance_id = _stuck_countersign(monkeypatch)
    assert incident_service.find_stuck(grace=60) == []  # it has just moved: not judged yet

    first = incident_service.raise_stuck_incidents(grace=0)
    again = incident_service.raise_stuck_incidents(grace=0)
    monkeypatch.setattr(incident_service, "STUCK_GRACE_SECONDS", 0)
    scheduler_service.tick()  # the scheduler's own sweep finds it already reported
    assert len(first) == 1 and again == []
    with db.session() as session:
        [incident] = session.scalars(select(Incident).where(Incident.instance_id == instance_id)).all()
    assert incident.kind == "stuck" and incident.status == "open" and incident.bpmn_id == "sign"
    assert "会签" in incident.message and incident.error_code == "InstanceStuck"

    listed = client.get("/api/v1/incidents", headers=bearer(app, "operator")).get_json()["items"]
    assert [(i["id"], i["kind"], i["instance_id"], i["task_name"]) for i in listed] == [
        (incident.id, "stuck", instance_id, "会签")]
    demo_service.load_demo_users()
    operator = Browserless(app, "operator")
    operator.refresh_token()
    html = operator.get("/admin/incidents").get_data(as_text=True)
    assert "会签" in html and "重新推进" in html and f'data-testid="retry-{incident.id}"' in html

    assert operator.post(f"/admin/incidents/{incident.id}/retry").status_code == 302
    details = instance_service.get_instance(instance_id)
    assert details["status"] == "completed"
    assert sorted(s["opinion"] for s in details["data"]["signatures"].values()) == ["意见0", "意见1", "意见2"]
    with db.session() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == instance_id)))
    assert "instance.repaired" in actions and actions.count("incident.opened") == 1
    assert incident_service.raise_stuck_incidents(grace=0) == []  # completed: nothing to report


def test_retry_recreates_lost_inbox_rows(app, client, countersign):
    inst = instance_service.start_instance("countersign_mi", {"departments": DEPARTMENTS, "required": 3}, "S-2")
    with db.transaction() as session:  # the inbox projection is lost
        for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id)):
            session.delete(row)
    [incident_id] = incident_service.raise_stuck_incidents(grace=0)
    incident_service.retry(IDENTITIES["operator"], incident_id)
    assert sorted(t.candidate_groups[0] for t in _ready(inst.id)) == ["dept_minzheng", "dept_renshe",
                                                                      "dept_zhujian"]
    assert incident_service.raise_stuck_incidents(grace=0) == []


@pytest.mark.parametrize("lost", ["cancelled", "deleted"])
def test_retry_asks_again_for_the_job_of_a_service_task_left_without_one(app, client, monkeypatch, lost):
    deploy_fixture(client, bearer(app), "sleepy.bpmn")
    runner = app.extensions["housing.runner"]
    with monkeypatch.context() as m:
        m.setattr(runner, "submit", lambda *a, **k: None)  # the prompt never reaches a worker
        inst = instance_service.start_instance("sleepy", {"seconds": 0.01, "marker": lost}, f"J-{lost}")
    with db.transaction() as session:  # and the job row is lost or wrongly cancelled
        job = session.scalars(select(Job).where(Job.instance_id == inst.id)).one()
        if lost == "deleted":
            session.delete(job)
        else:
            job.state = "cancelled"
    [incident_id] = incident_service.raise_stuck_incidents(grace=0)
    with db.session() as session:
        assert session.get(Incident, incident_id).bpmn_id == "slow"
    incident_service.retry(IDENTITIES["operator"], incident_id)
    details = instance_service.get_instance(inst.id)
    assert details["status"] == "completed" and details["data"]["slow_result"]["marker"] == lost
    [call] = details["service_calls"]
    assert call["state"] == "applied"
