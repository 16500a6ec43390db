"""Real Redis and real RQ worker processes: nothing is lost when workers die or Redis forgets."""

from __future__ import annotations

import signal
import time

import pytest
from redis import Redis

from app.db import db
from app.factory import create_app
from app.models import Job
from app.services import instance_service, scheduler_service
from tests.conftest import bearer, close, deploy_fixture, make_settings, truncate
from tests.support.processes import RedisServer, start_worker, stop, worker_env


@pytest.fixture
def redis_server():
    server = RedisServer()
    yield server
    server.close()


@pytest.fixture
def rq_app(pg_url, redis_server):
    application = create_app(make_settings(pg_url, job_runner="rq", redis_url=redis_server.url))
    with application.app_context():
        yield application
    close(application)
    truncate(pg_url)


def _wait(predicate, timeout=60.0, tick=True):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tick:
            scheduler_service.tick()
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def _job_states(instance_ids):
    with db.session() as session:
        return {j.instance_id: j.state for j in session.query(Job).filter(Job.instance_id.in_(instance_ids))}


def _statuses(ids):
    return [instance_service.get_instance(i)["status"] for i in ids]


def test_worker_killed_with_sigkill_mid_job_loses_nothing(rq_app, pg_url, redis_server):
    client = rq_app.test_client()
    deploy_fixture(client, bearer(rq_app), "sleepy.bpmn")
    inst = instance_service.start_instance("sleepy", {"seconds": 3.0, "marker": "once"}, "K-1")
    env = worker_env(pg_url, redis_server.url, HOUSING_JOB_LEASE_SECONDS="2")
    worker = start_worker(env)
    try:
        _wait(lambda: _job_states([inst.id])[inst.id] == "running", tick=False)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        stop(worker)
    assert _job_states([inst.id])[inst.id] == "running"  # the dead worker's lease is still on it
    replacement = start_worker(env)
    try:
        _wait(lambda: _statuses([inst.id]) == ["completed"])
    finally:
        stop(replacement)
    details = instance_service.get_instance(inst.id)
    assert details["data"]["slow_result"] == {"slept": 3.0, "marker": "once"}
    [call] = details["service_calls"]
    assert call["state"] == "applied" and call["attempts"] == 2


def test_redis_flushall_mid_run_loses_nothing(rq_app, pg_url, redis_server, monkeypatch):
    monkeypatch.setattr(scheduler_service, "GRACE_SECONDS", 1)
    client = rq_app.test_client()
    deploy_fixture(client, bearer(rq_app), "sleepy.bpmn")
    ids = [instance_service.start_instance("sleepy", {"seconds": 0.3, "marker": str(n)}, f"F-{n}").id
           for n in range(8)]
    worker = start_worker(worker_env(pg_url, redis_server.url))
    try:
        _wait(lambda: "applied" in _job_states(ids).values(), tick=False)
        Redis.from_url(redis_server.url).flushall()
        _wait(lambda: _statuses(ids) == ["completed"] * len(ids))
    finally:
        stop(worker)
    for n, instance_id in enumerate(ids):
        assert instance_service.get_instance(instance_id)["data"]["slow_result"]["marker"] == str(n)
    assert set(_job_states(ids).values()) == {"applied"}


def test_results_arriving_together_are_applied_in_one_resume(rq_app, pg_url, redis_server):
    client = rq_app.test_client()
    deploy_fixture(client, bearer(rq_app), "smoke.bpmn")
    inst = instance_service.start_instance("smoke", {"members": [{"income": 1}], "district": "渝中区"})
    from app.services import job_service

    with db.session() as session:
        jobs = session.query(Job).filter_by(instance_id=inst.id).all()
    for job in jobs:  # both calls finish before anyone resumes the instance
        with db.transaction() as session:
            row = session.get(Job, job.id)
            row.state, row.result, row.error_code = ("succeeded", {"echo": 1}, None) if row.operator == \
                "test/echo" else ("failed", None, "SourceUnavailable")
    assert job_service.resume_instance(inst.id) == 2
    details = instance_service.get_instance(inst.id)
    assert {c["bpmn_id"]: c["state"] for c in details["service_calls"]} == {"call_a": "applied",
                                                                            "call_b": "applied"}
    assert [t["bpmn_id"] for t in details["ready_tasks"]] == ["manual_b"]
    from app.models import AuditEvent

    with db.session() as session:
        [event] = session.query(AuditEvent).filter_by(instance_id=inst.id, action="jobs.applied").all()
    assert sorted(j["bpmn_id"] for j in event.details["jobs"]) == ["call_a", "call_b"]
    assert [j for j in event.details["jobs"] if j["bpmn_id"] == "call_b"][0]["caught_by_boundary_event"] is True
