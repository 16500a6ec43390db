"""Queries called in the step (ADR 0025): a background step that reaches the data sources'
checks calls them itself, side by side, and writes each call as a job with its one attempt.

A person's step (a clerk's click, an applicant's start) writes them as jobs for a worker, as
before. A retryable failure in the step is the job's first attempt, left pending for the
retries; a BPMN error is thrown into the diagram in the same step.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import db, utcnow
from app.engine.operators import registry
from app.models import AuditEvent, HumanTask, Incident, Job
from app.services import definition_service, instance_service, scheduler_service
from app.services.step import with_instance
from connectors.base.registry import CONNECTORS
from connectors.base.source import SourceConnector
from tests.conftest import FIXTURES
from tests.support import operators


@pytest.fixture(autouse=True)
def _fresh_operators():
    operators.MEETING.reset()
    operators.QUERY_SWITCH["down"] = True
    for name in ("test/query_meet", "test/query_switch", "test/query_not_found", "test/echo"):
        operators.CALLS.pop(name, None)
    yield
    operators.MEETING.reset()


def _deploy(*names: str) -> None:
    deployed, problems = definition_service.deploy(
        [(name, (FIXTURES / "bpmn" / name).read_bytes()) for name in names], "test")
    assert deployed and not [p for p in problems if p.severity == "error"], problems


def _jobs(instance_id: str) -> dict[str, Job]:
    with db.session() as session:
        return {job.bpmn_id: job for job in session.scalars(select(Job).where(Job.instance_id == instance_id))}


def _events(instance_id: str, action: str) -> list[list[dict]]:
    with db.session() as session:
        return [d["jobs"] for d in session.scalars(select(AuditEvent.details).where(
            AuditEvent.instance_id == instance_id, AuditEvent.action == action).order_by(AuditEvent.seq))]


def _ready(instance_id: str) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(HumanTask.bpmn_id).where(HumanTask.instance_id == instance_id,
                                                                      HumanTask.status == "ready")))


def _complete(instance_id: str, bpmn_id: str, actor: str = "reviewer") -> None:
    with db.session() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                            HumanTask.bpmn_id == bpmn_id, HumanTask.status == "ready"))
    assert task_id is not None, f"{bpmn_id} is not ready"
    with_instance(instance_id, lambda step: step.run.complete_user_task(task_id, {}), actor)


def test_a_workers_resume_calls_the_queries_it_reaches_side_by_side_and_writes_each_as_a_job(app):
    _deploy("queries_in_step.bpmn")
    instance = instance_service.start_instance("queries_in_step", {}, "QRY-1", "system")
    assert _ready(instance.id) == ["review"]

    # the clerk's step writes `plain` as a job; the worker's resume that applies it reaches the
    # two queries and calls them itself — side by side: each answers only once the other arrived
    _complete(instance.id, "review")
    assert _ready(instance.id) == ["after"]
    jobs = _jobs(instance.id)
    assert sorted(jobs) == ["ask_a", "ask_b", "plain"]
    for bpmn_id, value in (("ask_a", "a"), ("ask_b", "b")):
        job = jobs[bpmn_id]
        assert (job.state, job.attempts, job.operator) == ("applied", 1, "test/query_meet")
        assert job.params == {"value": value}
        assert job.result == {"echo": value, "attempt": 1, "key": f"{instance.id}:{job.task_id}"}
        assert job.idempotency_key == f"{instance.id}:{job.task_id}" and job.error_code is None
    assert operators.CALLS["test/query_meet"] == 2
    # the inline record after the join ran in that same resume, with both answers
    data = instance_service.get_instance(instance.id)["data"]
    assert data["note"] == {"noted": "ab", "ran": "step"}
    # one resume (for `plain`), and one event naming the calls the resume made itself
    assert [[j["bpmn_id"] for j in e] for e in _events(instance.id, "jobs.applied")] == [["plain"]]
    [called] = _events(instance.id, "jobs.called_in_step")
    assert sorted((j["bpmn_id"], j["operator"], j["job_id"]) for j in called) == [
        ("ask_a", "test/query_meet", jobs["ask_a"].id), ("ask_b", "test/query_meet", jobs["ask_b"].id)]


def test_a_persons_start_writes_its_queries_as_jobs_and_a_system_start_calls_them(app):
    _deploy("queries_in_step.bpmn", "queries_first.bpmn")
    by_person = instance_service.start_instance("queries_first", {}, "QRY-2", "reviewer")
    assert _ready(by_person.id) == ["after"]
    assert {b: (j.state, j.attempts) for b, j in _jobs(by_person.id).items()} == {
        "ask_a": ("applied", 1), "ask_b": ("applied", 1)}
    # run by a worker as a batch, applied by its resume: nothing called in the person's step
    assert [sorted(j["bpmn_id"] for j in e) for e in _events(by_person.id, "jobs.applied")] == [["ask_a", "ask_b"]]
    assert _events(by_person.id, "jobs.called_in_step") == []

    operators.MEETING.reset()
    by_system = instance_service.start_instance("queries_first", {}, "QRY-3", "system")
    assert _ready(by_system.id) == ["after"]
    assert {b: (j.state, j.attempts) for b, j in _jobs(by_system.id).items()} == {
        "ask_a": ("applied", 1), "ask_b": ("applied", 1)}
    assert _events(by_system.id, "jobs.applied") == []
    assert [sorted(j["bpmn_id"] for j in e) for e in _events(by_system.id, "jobs.called_in_step")] == [
        ["ask_a", "ask_b"]]
    assert operators.CALLS["test/query_meet"] == 4


def test_a_system_start_whose_queries_fail_for_good_opens_their_incidents_with_the_instance(app, monkeypatch):
    _deploy("queries_first.bpmn")
    monkeypatch.setattr(operators, "MEETING", threading.Barrier(3, timeout=0.2))  # the two calls never meet
    instance = instance_service.start_instance("queries_first", {}, "QRY-5", "system")

    # a failure that is not retried, with no boundary event: the start opens an incident for each
    # call, written after the new instance row it refers to
    jobs = _jobs(instance.id)
    assert {b: (j.state, j.attempts, j.error_code) for b, j in jobs.items()} == {
        "ask_a": ("incident", 1, "Alone"), "ask_b": ("incident", 1, "Alone")}
    with db.session() as session:
        incidents = session.scalars(select(Incident).where(Incident.instance_id == instance.id)).all()
    assert sorted((i.bpmn_id, i.kind, i.status, i.job_id) for i in incidents) == [
        ("ask_a", "job_failed", "open", jobs["ask_a"].id), ("ask_b", "job_failed", "open", jobs["ask_b"].id)]
    assert _ready(instance.id) == [] and _events(instance.id, "jobs.called_in_step") == []


def test_a_retryable_failure_is_the_jobs_first_attempt_and_a_bpmn_error_is_thrown_in_the_step(app):
    _deploy("queries_in_step_faults.bpmn")
    instance = instance_service.start_instance("queries_in_step_faults", {}, "QRY-4", "system")
    _complete(instance.id, "review")

    # in the worker's resume: the switch's source is down (a retryable failure), the other
    # query's answer is a business outcome that its boundary event routes to 人工核查
    assert _ready(instance.id) == ["manual"]
    jobs = _jobs(instance.id)
    switch, person = jobs["ask_switch"], jobs["ask_person"]
    assert (switch.state, switch.attempts, switch.result) == ("pending", 1, None)
    assert switch.error_code == "SourceUnavailable"
    assert switch.last_error == "switched off" and switch.run_after > switch.created_at
    assert (person.state, person.attempts, person.error_code) == ("applied", 1, "PersonNotFound")
    [called] = _events(instance.id, "jobs.called_in_step")
    assert called == [{"job_id": person.id, "operator": "test/query_not_found", "bpmn_id": "ask_person",
                       "error_code": "PersonNotFound", "caught_by_boundary_event": True}]

    # the scheduler queues the retry when its time comes; the second attempt answers
    operators.QUERY_SWITCH["down"] = False
    assert scheduler_service.dispatch_due_jobs(utcnow() + timedelta(seconds=5)) == [switch.id]
    assert _ready(instance.id) == ["after", "manual"]
    switch = _jobs(instance.id)["ask_switch"]
    assert (switch.state, switch.attempts, switch.result) == ("applied", 2, {"ok": True, "attempt": 2})
    assert operators.CALLS["test/query_switch"] == 2 and operators.CALLS["test/query_not_found"] == 1


def test_every_sources_check_is_a_query_and_nothing_that_writes_or_sends_is(client, auth):
    sources = {f"{name}/check" for name, cls in CONNECTORS.items()
               if issubclass(cls, SourceConnector) and "check" in cls.operation_specs()}
    queries = {op.name for op in registry.all() if op.query and not op.name.startswith("test/")}
    assert len(sources) >= 14 and queries == sources
    for name in ("sms/send", "publication_platform/publish", "allocation_system/push", "case/update"):
        assert not registry.get(name).query, name
    described = {op["name"]: op for op in client.get("/api/v1/operators", headers=auth()).get_json()["items"]}
    assert described["hukou/check"]["query"] is True and described["sms/send"]["query"] is False
