"""Messages and signals between processes (BPMN 2.0.2 §9, §10.5.4), on PostgreSQL.

A message an instance throws that none of its own events catches goes, through the outbox, where
``POST /api/v1/messages`` would send it (the thrower's business key); a signal reaches every
waiting instance and starts every process with a matching signal start event.
"""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import select

from app.db import db
from app.engine.runtime import DELIVER_OPERATOR
from app.factory import create_app
from app.models import Incident, Job, ProcessInstance
from app.services import instance_service, scheduler_service
from tests.conftest import FIXTURES, bearer, close, make_settings, truncate
from tests.support.api import history_ids, instance
from tests.support.processes import RedisServer, start_worker, stop, worker_env
from tests.support.settle import settle

CONFORMANCE = FIXTURES / "bpmn" / "conformance"


def deploy(client, headers, *names: str):
    data = {"files": [(io.BytesIO((CONFORMANCE / n).read_bytes()), n) for n in names]}
    response = client.post("/api/v1/process-definitions", data=data, headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def start(client, headers, key: str, business_key: str | None = None, data: dict | None = None) -> str:
    response = client.post("/api/v1/process-instances", headers=headers,
                           json={"process_key": key, "data": data or {}, "business_key": business_key})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def instances_of(key: str) -> list[ProcessInstance]:
    with db.session() as session:
        return list(session.scalars(select(ProcessInstance).where(ProcessInstance.process_key == key)
                                    .order_by(ProcessInstance.started_at)))


def test_a_message_thrown_in_one_pool_starts_the_other_and_its_reply_continues_the_first(client, auth):
    deploy(client, auth(), "collab_review.bpmn")
    applicant = start(client, auth("reviewer"), "conf_collab_applicant", "HZ-2026-0001", {"amount": 7})
    settle()
    [reviewer] = instances_of("conf_collab_reviewer")
    assert reviewer.business_key == "HZ-2026-0001"  # correlated like POST /api/v1/messages
    assert reviewer.status == "completed"
    assert history_ids(client, auth(), reviewer.id) == ["start_review", "decide", "end_decided"]
    details = instance(client, auth(), applicant)
    assert [t["bpmn_id"] for t in details["ready_tasks"]] == ["notify"]
    assert details["data"]["approved"] is True and details["data"]["reviewed_for"] == "张三"
    with db.session() as session:
        jobs = session.scalars(select(Job).where(Job.operator == DELIVER_OPERATOR)).all()
    assert sorted((j.bpmn_id, j.state) for j in jobs) == [("end_decided", "applied"), ("send_request", "applied")]


def test_a_send_task_continues_a_receive_task_of_another_file_by_business_key(client, auth):
    deploy(client, auth(), "notice_receiver.bpmn")
    deploy(client, auth(), "notice_sender.bpmn")
    waiting = start(client, auth("reviewer"), "conf_notice_receiver", "HT-1")
    other = start(client, auth("reviewer"), "conf_notice_receiver", "HT-2")
    sender = start(client, auth("reviewer"), "conf_notice_sender", "HT-1")
    settle()
    assert instance(client, auth(), sender)["status"] == "completed"
    assert [t["bpmn_id"] for t in instance(client, auth(), waiting)["ready_tasks"]] == ["sign"]
    assert instance(client, auth(), waiting)["data"]["rent"] == 800
    assert instance(client, auth(), other)["ready_tasks"] == []  # another business key: still waiting
    assert [e["bpmn_id"] for e in instance(client, auth(), other)["waiting_events"]] == ["await_notice"]


def test_a_message_nobody_receives_is_retried_then_an_incident_whose_retry_delivers_it(client, auth, app):
    deploy(client, auth(), "notice_sender.bpmn", "notice_receiver.bpmn")
    sender = start(client, auth("reviewer"), "conf_notice_sender", "HT-9")
    settle(timeout=60)
    with db.session() as session:
        [job] = session.scalars(select(Job).where(Job.instance_id == sender)).all()
        incident = session.scalar(select(Incident).where(Incident.instance_id == sender))
    assert job.state == "incident" and job.attempts == 5
    assert incident is not None and incident.error_code == "MessageNotCorrelated"
    receiver = start(client, auth("reviewer"), "conf_notice_receiver", "HT-9")  # now someone waits
    retried = client.post(f"/api/v1/incidents/{incident.id}/retry", headers=auth("operator"))
    assert retried.status_code == 200, retried.get_json()
    settle()
    assert [t["bpmn_id"] for t in instance(client, auth(), receiver)["ready_tasks"]] == ["sign"]


def test_a_signal_reaches_every_waiting_instance_and_starts_every_signal_start_process(client, auth):
    deploy(client, auth(), "signal_listeners.bpmn")
    deploy(client, auth(), "signal_sender.bpmn")
    waiters = [start(client, auth("reviewer"), "conf_signal_waiter", key) for key in ("A-1", "B-2", None)]
    assert instances_of("conf_signal_started") == []
    start(client, auth("reviewer"), "conf_signal_sender", "RATE-2026")
    settle()
    for waiter in waiters:  # every one, whatever its business key
        assert [t["bpmn_id"] for t in instance(client, auth(), waiter)["ready_tasks"]] == ["recalculate"]
    [started] = instances_of("conf_signal_started")
    assert started.business_key == "RATE-2026"
    assert [t["bpmn_id"] for t in instance(client, auth(), started.id)["ready_tasks"]] == ["publish"]


@pytest.fixture
def rq_app(pg_url):
    server = RedisServer()
    application = create_app(make_settings(pg_url, job_runner="rq", redis_url=server.url))
    with application.app_context():
        yield application, server
    close(application)
    truncate(pg_url)
    server.close()


def test_rq_workers_carry_a_message_across_pools(rq_app, pg_url):
    application, server = rq_app
    client = application.test_client()
    deploy(client, bearer(application), "collab_review.bpmn")
    applicant = instance_service.start_instance("conf_collab_applicant", {"amount": 12}, "HZ-RQ-1")
    worker = start_worker(worker_env(pg_url, server.url))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            scheduler_service.tick()
            ready = instance_service.get_instance(applicant.id)["ready_tasks"]
            if ready:
                break
            time.sleep(0.2)
    finally:
        stop(worker)
    details = instance_service.get_instance(applicant.id)
    assert [t["bpmn_id"] for t in details["ready_tasks"]] == ["notify"]
    assert details["data"]["approved"] is False  # 12 is not below 10
    [reviewer] = instances_of("conf_collab_reviewer")
    assert reviewer.status == "completed" and reviewer.business_key == "HZ-RQ-1"


def test_a_signal_from_another_process_interrupts_a_sub_process_at_its_boundary(client, auth):
    deploy(client, auth(), "signal_boundary.bpmn", "signal_sender.bpmn")
    applying = start(client, auth("reviewer"), "conf_signal_boundary", "SQ-7")
    assert [t["bpmn_id"] for t in instance(client, auth(), applying)["ready_tasks"]] == ["fill"]
    start(client, auth("reviewer"), "conf_signal_sender", "RATE-2027")
    settle()
    details = instance(client, auth(), applying)
    assert [t["bpmn_id"] for t in details["ready_tasks"]] == ["requote"]  # "fill" was withdrawn
    assert details["waiting_events"] == []
