"""Two real ``housing scheduler`` processes on one PostgreSQL: every timer fires once, every
job is swept once, and when the leading scheduler is killed the other takes over."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, update

from app.db import db, utcnow
from app.factory import create_app
from app.models import AuditEvent, Job, ProcessInstance, StartTimer
from app.services import instance_service
from tests.conftest import bearer, deploy_fixture, make_settings, truncate
from tests.support.processes import ROOT, RedisServer, stop, worker_env

LEADS = "this scheduler now leads the sweeps"


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
    truncate(pg_url)


def _start_scheduler(env: dict, log_path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 (the process writes it while the test reads it)
    return subprocess.Popen([sys.executable, "-m", "app.cli", "scheduler", "--interval", "0.2"], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)


def _until(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("not reached in time")


def _tally(ids: list[str]) -> dict[str, int]:
    """Per instance: how many sweeps fired its timer (audit events); never more than one."""
    with db.session() as session:
        counts = dict(session.execute(
            select(AuditEvent.instance_id, func.count()).where(
                AuditEvent.instance_id.in_(ids), AuditEvent.action == "timers.checked")
            .group_by(AuditEvent.instance_id)).all())
    assert all(c == 1 for c in counts.values()), counts
    return counts


def _fired(ids: list[str]) -> set:
    """What the script after each timer counted."""
    return {instance_service.get_instance(i)["data"].get("fired") for i in ids}


def _start_tallies(prefix: str, n: int, wait: str) -> list[str]:
    return [instance_service.start_instance("timer_tally", {"wait": wait, "fired": 0}, f"{prefix}-{i}").id
            for i in range(n)]


def _queued_ids(redis_url: str) -> list[str]:
    queue = Queue("housing", connection=Redis.from_url(redis_url), serializer=JSONSerializer)
    return [job_id for job in queue.get_jobs() for job_id in job.args[0]]


def test_two_schedulers_fire_each_timer_and_sweep_each_job_once(rq_app, pg_url, redis_server, tmp_path):
    assert deploy_fixture(rq_app.test_client(), bearer(rq_app), "timer_tally.bpmn", "timer_start.bpmn",
                          "sleepy.bpmn").status_code == 201
    tallies = _start_tallies("T", 15, "PT2S")
    sleepy = [instance_service.start_instance("sleepy", {"seconds": 0.1, "marker": str(n)}).id for n in range(6)]
    past = utcnow() - timedelta(seconds=5)
    with db.transaction() as session:
        session.execute(update(StartTimer).where(StartTimer.process_key == "timer_start").values(next_due_at=past))
        jobs = list(session.scalars(select(Job.id).where(Job.instance_id.in_(sleepy)).order_by(Job.id)))
        session.execute(update(Job).where(Job.id.in_(jobs[:3])).values(state="pending", run_after=past))
        session.execute(update(Job).where(Job.id.in_(jobs[3:])).values(state="running", lease_until=past))
    Redis.from_url(redis_server.url).flushall()  # only what the schedulers hand over is on the queue

    env = worker_env(pg_url, redis_server.url, HOUSING_LOG_LEVEL="INFO")
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    schedulers = [_start_scheduler(env, logs[0]), _start_scheduler(env, logs[1])]
    try:
        _until(lambda: sum(_tally(tallies).values()) == len(tallies))
        _until(lambda: len(_queued_ids(redis_server.url)) >= len(jobs))
        time.sleep(2)  # both keep sweeping: nothing may fire or be handed over again
        assert len(_tally(tallies)) == len(tallies) and _fired(tallies) == {1}
        assert sorted(_queued_ids(redis_server.url)) == sorted(jobs)
        with db.session() as session:
            started = session.scalar(select(func.count()).select_from(ProcessInstance).where(
                ProcessInstance.process_key == "timer_start"))
        assert started == 1
        leaders = [n for n, path in enumerate(logs) if LEADS in path.read_text()]
        assert len(leaders) == 1, [p.read_text()[-2000:] for p in logs]

        # the leader dies without a goodbye: the other takes over within a few ticks
        leader, standby = schedulers[leaders[0]], schedulers[1 - leaders[0]]
        leader.send_signal(signal.SIGKILL)
        leader.wait(10)
        later = _start_tallies("L", 5, "PT1S")
        _until(lambda: sum(_tally(later).values()) == len(later), timeout=30)
        assert LEADS in logs[1 - leaders[0]].read_text()
        assert standby.poll() is None
        time.sleep(1)
        assert len(_tally(tallies + later)) == len(tallies + later) and _fired(tallies + later) == {1}
    finally:
        for process in schedulers:
            stop(process)
