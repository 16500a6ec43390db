"""Real Redis and real RQ worker processes: nothing is lost when workers die or Redis forgets."""

from __future__ import annotations

import signal
import threading
import time
from datetime import timedelta

import pytest
from redis import Redis

from app.db import db, utcnow
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
    env = worker_env(pg_url, redis_server.url, HOUSING_JOB_LEASE_SECONDS="2", HOUSING_JOB_HEARTBEAT_SECONDS="0.5")
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


def _job(instance_id: str) -> Job:
    with db.session() as session:
        return session.query(Job).filter_by(instance_id=instance_id).one()


def test_a_killed_workers_job_is_done_by_another_worker_within_30_seconds(rq_app, pg_url, redis_server):
    """Default lease and heartbeat: the dead worker's job is back in the queue within the lease
    (20 s), another worker completes it, and its result is applied once."""
    client = rq_app.test_client()
    deploy_fixture(client, bearer(rq_app), "slow_first.bpmn")
    inst = instance_service.start_instance("slow_first", {"seconds": 120.0, "marker": "m"}, "H-1")
    env = worker_env(pg_url, redis_server.url)
    doomed = start_worker(env)
    try:
        _wait(lambda: _job(inst.id).state == "running", tick=False)
        other = start_worker(env)  # idle, waiting for work
        time.sleep(6)  # past the first heartbeat: the lease is renewed while the worker lives
        lease = _job(inst.id).lease_until
        assert _job(inst.id).state == "running" and lease > utcnow() + timedelta(seconds=12)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        killed_at = time.monotonic()
        _wait(lambda: _statuses([inst.id]) == ["completed"], timeout=30)
        recovered_in = time.monotonic() - killed_at
    finally:
        stop(doomed)
    try:
        assert recovered_in < 30
        job = _job(inst.id)
        assert job.state == "applied" and job.attempts == 2
        assert instance_service.get_instance(inst.id)["data"]["slow_result"] == {"marker": "m", "attempt": 2}
        from app.models import AuditEvent

        with db.session() as session:
            applied = session.query(AuditEvent).filter_by(instance_id=inst.id, action="jobs.applied").all()
        assert [[j["job_id"] for j in e.details["jobs"]] for e in applied] == [[job.id]]
    finally:
        stop(other)


def test_a_live_worker_keeps_the_lease_of_a_job_longer_than_the_lease(rq_app, pg_url, redis_server):
    client = rq_app.test_client()
    deploy_fixture(client, bearer(rq_app), "sleepy.bpmn")
    inst = instance_service.start_instance("sleepy", {"seconds": 6.0, "marker": "long"}, "H-2")
    worker = start_worker(worker_env(pg_url, redis_server.url, HOUSING_JOB_LEASE_SECONDS="2",
                                     HOUSING_JOB_HEARTBEAT_SECONDS="0.5"))
    try:
        _wait(lambda: _statuses([inst.id]) == ["completed"])  # the scheduler sweeps all along
    finally:
        stop(worker)
    assert _job(inst.id).attempts == 1  # never taken from the worker that was running it


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


def test_a_heartbeat_skips_a_job_row_another_transaction_holds(rq_app, pg_url, redis_server):
    """The heartbeat never waits on a job row (no lock-order deadlock with the worker storing
    that job's outcome): it renews the free rows and leaves the held one to the next beat."""
    import psycopg2

    from app.jobs.lease import renew

    client = rq_app.test_client()
    deploy_fixture(client, bearer(rq_app), "slow_first.bpmn")
    ids = [instance_service.start_instance("slow_first", {"seconds": 1.0, "marker": f"m{n}"}, f"H-{n}").id
           for n in range(2)]
    past = utcnow() - timedelta(seconds=1)
    with db.transaction() as session:
        session.query(Job).filter(Job.instance_id.in_(ids)).update(
            {"state": "running", "attempts": 1, "lease_until": past}, synchronize_session=False)
    held, free = (_job(i) for i in ids)
    holder = psycopg2.connect(pg_url)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT id FROM job WHERE id = %s FOR UPDATE", (held.id,))
        renewed: list[int] = []

        def beat() -> None:
            with rq_app.app_context():
                renewed.append(renew([(held.id, 1), (free.id, 1)], 20))

        heartbeat = threading.Thread(target=beat)
        heartbeat.start()
        heartbeat.join(5)
        assert not heartbeat.is_alive(), "the heartbeat waited for the held row"
        assert renewed == [1]
        assert _job(ids[0]).lease_until == held.lease_until  # skipped while held
        assert _job(ids[1]).lease_until > utcnow() + timedelta(seconds=15)
        holder.rollback()
        assert renew([(held.id, 1), (free.id, 1)], 20) == 2
        assert renew([(held.id, 2)], 20) == 0  # another worker's claim now: not ours to renew
    finally:
        holder.close()
        heartbeat.join(10)


def test_a_worker_runs_the_batch_its_own_step_creates_in_the_same_rq_job(rq_app, pg_url, redis_server):
    client = rq_app.test_client()
    deploy_fixture(client, bearer(rq_app), "chained_calls.bpmn")
    ids = [instance_service.start_instance("chained_calls", {"marker": f"m{i}"}, f"C-{i}").id for i in range(3)]
    runner = rq_app.extensions["housing.runner"]
    assert len(runner.queue.job_ids) == 3  # one RQ job each, for the first call
    worker = start_worker(worker_env(pg_url, redis_server.url), burst=True)
    try:
        worker.wait(60)
    finally:
        stop(worker)
    assert _statuses(ids) == ["completed"] * 3
    assert instance_service.get_instance(ids[0])["data"]["second_result"]["echo"] == "m0-2"
    # each second call ran in the RQ job of its first: no RQ job of its own, nothing left held
    assert len(runner.queue.finished_job_registry) == 3 and runner.queue.job_ids == []
    assert runner.connection.hlen(runner.held_key) == 0
