"""Sandbox faults through the engine: a real connector (``hukou/check``) over real HTTP, jobs on
PostgreSQL run by the inline runner, the outcome seen through the API.

After its job retries a failing source ends at the diagram's error boundary or, without one,
becomes an incident an operator retries once the source is back. A refused signature is never
retried. Job retries are made fast by connector settings (``job_*``), not by new defaults.
"""

from __future__ import annotations

import contextlib
import time

import pytest

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.privacy import mask_id_number
from app.services import job_service, scheduler_service
from connectors.sandbox import fixtures
from connectors.testing import FAST_SETTINGS
from tests.conftest import bearer, deploy_fixture, make_settings, truncate
from tests.connectors import conftest as connector_fixtures
from tests.integration import test_rq_workers as rq_fixtures
from tests.support.api import instance, start
from tests.support.processes import start_worker, stop, worker_env
from tests.support.settle import settle

#: Three job attempts a few tens of milliseconds apart, and a breaker that stays out of the way
#: unless a test asks for it.
ENGINE_SETTINGS = {
    **FAST_SETTINGS,
    "HOUSING_CONNECTOR_DEFAULT_JOB_ATTEMPTS": "3",
    "HOUSING_CONNECTOR_DEFAULT_JOB_BACKOFF": "0.02",
    "HOUSING_CONNECTOR_DEFAULT_JOB_BACKOFF_CAP": "0.1",
    "HOUSING_CONNECTOR_DEFAULT_BREAKER_THRESHOLD": "100",
}
#: Short reads, so that a silent platform costs nine of them (~2 s) and not nine seconds.
SHORT_READS = {"HOUSING_CONNECTOR_HUKOU_TIMEOUT": "0.25"}
WRONG_KEY = {"HOUSING_CONNECTOR_CRED_SANDBOX_HUKOU_APP_SECRET": "not-the-gateway-secret"}
MEMBERS = fixtures.declared_members("eligible_nuclear")
JOB_ATTEMPTS, CALL_ATTEMPTS = 3, 3  # job attempts; requests per job attempt (1 + 2 in-call retries)
#: One sandbox over real HTTP, and its admin client with faults cleared around each test.
sandbox, admin = connector_fixtures.sandbox, connector_fixtures.admin
redis_server = rq_fixtures.redis_server  # a private redis-server
#: Wall-clock bound for one case on a loaded 2-core machine (the work itself takes ~1–3 s).
BOUND = 25.0


@contextlib.contextmanager
def engine(pg_url, sandbox_url, **extra: str):
    """The app on PostgreSQL, jobs run inline, connectors pointed at the sandbox."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    settings = make_settings(pg_url, sandbox_url=sandbox_url, extra={**ENGINE_SETTINGS, **extra})
    app = create_app(settings, runner=runner)
    with app.app_context():
        try:
            client = app.test_client()
            headers = bearer(app, "admin")
            response = deploy_fixture(client, headers, "connector_fault_caught.bpmn", "connector_fault_uncaught.bpmn")
            assert response.status_code == 201, response.get_json()
            yield app, client, headers
        finally:
            truncate(pg_url)


@pytest.fixture
def caseflow(pg_url, sandbox):
    with engine(pg_url, sandbox[0]) as running:
        yield running


def run_case(client, headers, process_key: str) -> tuple[dict, float]:
    """Start a case and drive its jobs to rest; ``(instance, seconds taken)``."""
    started = time.monotonic()
    inst = start(client, headers, process_key, {"members": MEMBERS})
    return inst, time.monotonic() - started


def hukou_call(inst: dict) -> dict:
    [call] = [c for c in inst["service_calls"] if c["bpmn_id"] == "check_hukou"]
    return call


def faulted(admin, fault: str) -> list[dict]:
    return [r for r in admin.requests("hukou") if r.get("fault") == fault]


def passed_nodes(client, headers, instance_id: str) -> list[str]:
    response = client.get(f"/api/v1/process-instances/{instance_id}/history", headers=headers)
    assert response.status_code == 200
    return [n["bpmn_id"] for n in response.get_json()["items"]]


@pytest.mark.parametrize(("fault", "cause", "extra"), [("5xx", "HTTP 503", {}),
                                                     ("timeout", "no answer within the timeout", SHORT_READS)],
                         ids=["5xx", "timeout"])
def test_a_persistent_fault_ends_at_the_error_boundary_after_the_job_retries(pg_url, sandbox, admin, fault, cause,
                                                                             extra):
    admin.inject("hukou", fault, times=None, seconds=2.0)
    with engine(pg_url, sandbox[0], **extra) as (_, client, headers):
        inst, took = run_case(client, headers, "connector_fault_caught")
        nodes = passed_nodes(client, headers, inst["id"])
    assert took < BOUND, f"{fault}: the case took {took:.1f} s to reach the boundary"
    call = hukou_call(inst)
    assert (call["state"], call["attempts"], call["max_attempts"]) == ("applied", JOB_ATTEMPTS, JOB_ATTEMPTS)
    assert call["error_code"] == "SourceUnavailable" and cause in call["last_error"]
    assert len(faulted(admin, fault)) == JOB_ATTEMPTS * CALL_ATTEMPTS
    assert inst["status"] == "completed" and inst["incidents"] == []
    assert "hukou_unavailable" in nodes and "ended_unavailable" in nodes and "checked" not in nodes
    assert inst["data"]["hukou_fault"]["code"] == "SourceUnavailable"
    assert "hukou" not in inst["data"]


def test_a_fault_that_clears_between_job_attempts_completes_with_findings(caseflow, admin):
    _, client, headers = caseflow
    admin.inject("hukou", "5xx", times=CALL_ATTEMPTS)  # the whole first job attempt, then the platform is back
    inst, _ = run_case(client, headers, "connector_fault_caught")
    call = hukou_call(inst)
    assert (call["state"], call["attempts"]) == ("applied", 2)
    assert inst["status"] == "completed" and "checked" in passed_nodes(client, headers, inst["id"])
    assert [m["found"] for m in inst["data"]["hukou"]["members"]] == [True, True, True]


def test_without_a_boundary_the_fault_is_an_incident_retried_once_the_source_is_back(caseflow, admin):
    _, client, headers = caseflow
    admin.inject("hukou", "5xx", times=None)
    inst, took = run_case(client, headers, "connector_fault_uncaught")
    assert took < BOUND
    assert inst["status"] == "running"
    call = hukou_call(inst)
    assert (call["state"], call["attempts"], call["error_code"]) == ("incident", JOB_ATTEMPTS, "SourceUnavailable")
    [incident] = inst["incidents"]
    assert incident["kind"] == "job_failed" and incident["bpmn_id"] == "check_hukou"
    assert incident["error_code"] == "SourceUnavailable"
    assert incident["message"].startswith("hukou:") and "HTTP 503" in incident["message"]  # names the source
    assert len(faulted(admin, "5xx")) == JOB_ATTEMPTS * CALL_ATTEMPTS

    retried = client.post(f"/api/v1/incidents/{incident['id']}/retry", headers=bearer(caseflow[0], "operator"))
    assert retried.status_code == 200
    settle()
    after = instance(client, headers, inst["id"])
    assert after["status"] == "running", "retrying while the source is still down fails honestly"
    assert [i["status"] for i in after["incidents"]].count("open") == 1

    admin.clear_faults()
    admin.clear_requests()
    [again] = [i for i in after["incidents"] if i["status"] == "open"]
    started = time.monotonic()
    retried = client.post(f"/api/v1/incidents/{again['id']}/retry", headers=bearer(caseflow[0], "operator"))
    assert retried.status_code == 200
    settle()
    assert time.monotonic() - started < BOUND
    done = instance(client, headers, inst["id"])
    assert done["status"] == "completed"
    assert "checked" in passed_nodes(client, headers, inst["id"])
    findings = done["data"]["hukou"]
    assert [m["id_number"] for m in findings["members"]] == [mask_id_number(m["id_number"]) for m in MEMBERS]
    assert all(m["found"] and m["verdict"] == "pass" for m in findings["members"])
    assert findings["members"][0]["facts"]["hukou_city"] == "重庆市"
    assert hukou_call(done)["state"] == "applied" and hukou_call(done)["attempts"] == 1
    assert [r["status"] for r in admin.requests("hukou")] == [200] * len(MEMBERS)


def test_a_wrong_signing_key_is_caught_at_once_by_the_refusal_boundary(pg_url, sandbox, admin):
    with engine(pg_url, sandbox[0], **WRONG_KEY) as (_, client, headers):
        inst, took = run_case(client, headers, "connector_fault_caught")
    assert took < BOUND
    call = hukou_call(inst)
    assert (call["state"], call["attempts"], call["error_code"]) == ("applied", 1, "SignatureRejected")
    assert len(admin.requests("hukou")) == 1  # refused once, never retried
    assert inst["status"] == "completed" and inst["incidents"] == []
    assert inst["data"]["hukou_fault"]["code"] == "SignatureRejected"
    assert "refused our hmac_sha256 credentials" in inst["data"]["hukou_fault"]["message"]


def test_a_wrong_signing_key_without_a_boundary_is_an_incident_saying_the_signature_was_refused(pg_url, sandbox,
                                                                                                 admin):
    with engine(pg_url, sandbox[0], **WRONG_KEY) as (_, client, headers):
        inst, took = run_case(client, headers, "connector_fault_uncaught")
        assert took < BOUND
        call = hukou_call(inst)
        assert (call["state"], call["attempts"], call["max_attempts"]) == ("incident", 1, JOB_ATTEMPTS)
        [incident] = inst["incidents"]
        assert incident["error_code"] == "SignatureRejected"
        assert "hukou" in incident["message"] and "refused our hmac_sha256 credentials" in incident["message"]
        assert "GW4011" in incident["message"]  # the gateway's own refusal code
        assert [r["status"] for r in admin.requests("hukou")] == [401]


def test_with_the_default_breaker_the_last_attempts_fail_fast_with_circuit_open(pg_url, sandbox, admin):
    """Nine failed requests open a breaker of five: later attempts fail without a request, as
    ``CircuitOpen``; a diagram catching only ``SourceUnavailable`` needs a boundary for it too."""
    with engine(pg_url, sandbox[0], HOUSING_CONNECTOR_DEFAULT_BREAKER_THRESHOLD="5",
                HOUSING_CONNECTOR_DEFAULT_BREAKER_RESET="30") as (_, client, headers):
        admin.inject("hukou", "5xx", times=None)
        inst, took = run_case(client, headers, "connector_fault_caught")
        assert took < BOUND
        call = hukou_call(inst)
        assert (call["state"], call["attempts"], call["error_code"]) == ("applied", JOB_ATTEMPTS, "CircuitOpen")
        assert len(faulted(admin, "5xx")) == 5  # the threshold; then no request reaches the platform
        assert "hukou_circuit_open" in passed_nodes(client, headers, inst["id"])
        assert inst["data"]["hukou_fault"]["code"] == "CircuitOpen"


def test_a_real_worker_retries_by_its_own_settings_then_an_incident_retry_completes(pg_url, sandbox, admin,
                                                                                    redis_server):
    """The same path with RQ worker processes: the worker reads the job retry settings from its
    environment, as a deployed worker would."""
    settings = make_settings(pg_url, job_runner="rq", redis_url=redis_server.url, sandbox_url=sandbox[0],
                             extra=ENGINE_SETTINGS)
    app = create_app(settings)
    with app.app_context():
        try:
            client, headers = app.test_client(), bearer(app, "admin")
            assert deploy_fixture(client, headers, "connector_fault_uncaught.bpmn").status_code == 201
            admin.inject("hukou", "5xx", times=None)
            env = worker_env(pg_url, redis_server.url, HOUSING_SANDBOX_URL=sandbox[0], **ENGINE_SETTINGS)
            worker = start_worker(env)
            try:
                started = time.monotonic()
                created = client.post("/api/v1/process-instances", headers=headers, json={
                    "process_key": "connector_fault_uncaught", "data": {"members": MEMBERS}})
                assert created.status_code == 201
                instance_id = created.get_json()["id"]
                wait_for(lambda: instance(client, headers, instance_id)["incidents"])
                inst = instance(client, headers, instance_id)
                assert time.monotonic() - started < BOUND * 2  # a worker process starts, too
                call = hukou_call(inst)
                assert (call["state"], call["attempts"], call["error_code"]) == (
                    "incident", JOB_ATTEMPTS, "SourceUnavailable")
                requests = faulted(admin, "5xx")
                assert len(requests) == JOB_ATTEMPTS * CALL_ATTEMPTS
                spread = requests[-1]["at"] - requests[0]["at"]
                assert spread < 10, f"job retries {spread:.1f} s apart: the worker ignored its job_* settings"
                admin.clear_faults()
                [incident] = inst["incidents"]
                retried = client.post(f"/api/v1/incidents/{incident['id']}/retry", headers=bearer(app, "operator"))
                assert retried.status_code == 200
                wait_for(lambda: instance(client, headers, instance_id)["status"] == "completed")
            finally:
                stop(worker)
            done = instance(client, headers, instance_id)
            assert all(m["found"] for m in done["data"]["hukou"]["members"])
        finally:
            truncate(pg_url)


def wait_for(predicate, timeout: float = BOUND * 2) -> None:
    """Tick the scheduler (due retries go to the queue) until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scheduler_service.tick()
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"not reached within {timeout} s")
