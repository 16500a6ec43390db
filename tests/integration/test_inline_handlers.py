"""Inline handlers (ADR 0023): a step no person waits for runs their tasks in its own transaction.

On PostgreSQL a chain of inline tasks runs inside a background step (a job's resume, a system
start) — no job, its writes committed with the step or not at all — and one that fails there
becomes an ordinary job. A person's step (a clerk's click) leaves them to a worker, whose resume
then runs them. On SQLite every service task stays a job, with the same outcome.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import db
from app.models import AuditEvent, HumanTask, Job, ProcessInstance, User
from app.services import definition_service, instance_service, job_service
from app.services.step import with_instance
from tests.conftest import FIXTURES

DIAGRAM = "inline_handlers.bpmn"


def _deploy() -> None:
    deployed, problems = definition_service.deploy([(DIAGRAM, (FIXTURES / "bpmn" / DIAGRAM).read_bytes())], "test")
    assert deployed and not [p for p in problems if p.severity == "error"]


def _data(instance_id: str) -> dict:
    return instance_service.get_instance(instance_id)["data"]


def _users() -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(User.username).where(User.username.like("inline_%"))))


def _jobs(instance_id: str) -> dict[str, str]:
    with db.session() as session:
        return dict(session.execute(select(Job.bpmn_id, Job.state).where(Job.instance_id == instance_id)).all())


def _complete(instance_id: str, bpmn_id: str) -> None:
    with db.session() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                            HumanTask.bpmn_id == bpmn_id, HumanTask.status == "ready"))
    assert task_id is not None, f"{bpmn_id} is not ready"
    with_instance(instance_id, lambda step: step.run.complete_user_task(task_id, {}), "reviewer")


def _ready(instance_id: str) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(HumanTask.bpmn_id).where(HumanTask.instance_id == instance_id,
                                                                    HumanTask.status == "ready")))


def test_a_chain_of_inline_tasks_runs_in_the_step_and_a_failing_one_becomes_a_job(app):
    _deploy()
    instance = instance_service.start_instance("inline_handlers", {}, "INL-1", "system")

    # the start ran both records itself: no job, the second saw the first's result
    assert _ready(instance.id) == ["review"]
    assert _jobs(instance.id) == {}
    data = _data(instance.id)
    assert data["note_a"] == {"noted": "a", "ran": "step"}
    assert data["note_b"] == {"noted": "ab", "ran": "step"}
    assert _users() == {"inline_a", "inline_ab"}
    with db.session() as session:
        ran = session.scalars(select(AuditEvent.details).where(AuditEvent.instance_id == instance.id,
                                                              AuditEvent.action == "tasks.ran_inline")).all()
    assert [[t["bpmn_id"] for t in r["tasks"]] for r in ran] == [["note_a", "note_b"]]

    # 审核 hands the connector to a worker; its resume reaches a handler that fails in the step:
    # the handler's write is rolled back with its savepoint and it runs as a job (which succeeds)
    _complete(instance.id, "review")
    assert _ready(instance.id) == ["after"]
    assert _jobs(instance.id) == {"plain": "applied", "flaky": "applied"}
    assert _data(instance.id)["flaky"] == {"ran": "job"}
    assert _users() == {"inline_a", "inline_ab", "inline_f_job"}
    # the failed handler's savepoint took nothing of the resume's own with it: its audit event is
    # there, before the one of the job that ran the handler again
    with db.session() as session:
        applied = session.scalars(select(AuditEvent.details).where(
            AuditEvent.instance_id == instance.id, AuditEvent.action == "jobs.applied").order_by(AuditEvent.seq)).all()
    assert [[j["bpmn_id"] for j in d["jobs"]] for d in applied] == [["plain"], ["flaky"]]

    _complete(instance.id, "after")
    with db.session() as session:
        assert session.get(ProcessInstance, instance.id).status == "completed"


def test_a_persons_step_leaves_inline_tasks_to_a_worker_whose_resume_runs_them(app, monkeypatch):
    _deploy()
    heartbeat: list[str] = []  # the jobs whose leases the worker's heartbeat keeps

    class Recording(job_service.LeaseKeeper):
        def __init__(self, app, claims, *args):
            claims = list(claims)
            heartbeat.extend(job_id for job_id, _ in claims)
            super().__init__(app, claims, *args)

    monkeypatch.setattr(job_service, "LeaseKeeper", Recording)
    instance = instance_service.start_instance("inline_handlers", {}, "INL-4", "reviewer")
    assert _ready(instance.id) == ["review"]
    assert _jobs(instance.id) == {"note_a": "applied"}  # the person's start queued it …
    data = _data(instance.id)
    # … and the worker called it inside the resume that applied it, which ran note_b too
    assert data["note_a"] == {"noted": "a", "ran": "step"}
    assert data["note_b"] == {"noted": "ab", "ran": "step"}
    assert _users() == {"inline_a", "inline_ab"}
    with db.session() as session:
        job = session.scalars(select(Job).where(Job.instance_id == instance.id)).one()
        applied = session.scalars(select(AuditEvent.details).where(AuditEvent.instance_id == instance.id,
                                                                  AuditEvent.action == "jobs.applied")).all()
    assert (job.state, job.attempts, job.result) == ("applied", 1, {"noted": "a", "ran": "step"})
    assert heartbeat == [job.id]  # leased while the resume that calls it waits for the instance
    assert [[j["bpmn_id"] for j in a["jobs"]] for a in applied] == [["note_a"]]


def test_a_queued_inline_task_that_fails_in_the_resume_runs_alone_as_a_job(app):
    deployed, _ = definition_service.deploy(
        [("inline_flaky_first.bpmn", (FIXTURES / "bpmn" / "inline_flaky_first.bpmn").read_bytes())], "test")
    assert deployed
    instance = instance_service.start_instance("inline_flaky_first", {}, "INL-5", "reviewer")
    assert _ready(instance.id) == ["review"]
    assert _jobs(instance.id) == {"flaky": "applied"}
    assert _data(instance.id)["flaky"] == {"ran": "job"}
    assert _users() == {"inline_f_job"}  # what it wrote in the resume's savepoint was rolled back


def test_when_the_resume_fails_its_queued_inline_tasks_run_again_alone(app, monkeypatch):
    _deploy()
    real, failures = job_service.with_instance_if, []

    def fails_once(instance_id, action, actor, prepare):
        if failures:
            return real(instance_id, action, actor, prepare)

        def prepare_then_fail(session, instance):
            prepare(session, instance)  # the inline task runs and writes, then the step fails
            failures.append(sorted(session.scalars(select(User.username).where(User.username.like("inline_%")))))
            raise RuntimeError("the resume fails")

        return real(instance_id, action, actor, prepare_then_fail)

    monkeypatch.setattr(job_service, "with_instance_if", fails_once)
    instance = instance_service.start_instance("inline_handlers", {}, "INL-6", "reviewer")
    assert failures == [["inline_a"]]
    assert _ready(instance.id) == ["review"]
    assert _jobs(instance.id) == {"note_a": "applied"}
    assert _data(instance.id)["note_a"] == {"noted": "a", "ran": "job"}  # called again, on its own
    assert _users() == {"inline_a", "inline_ab"}


def test_inline_writes_are_the_steps_own_a_step_that_fails_keeps_none_of_them(app, monkeypatch):
    _deploy()
    seen_in_step = []

    def broken(step):  # the handlers' rows are in the step's transaction, then the step fails
        seen_in_step.extend(step.session.scalars(select(User.username).where(User.username.like("inline_%"))))
        raise RuntimeError("the step fails after its inline tasks ran")

    monkeypatch.setattr(instance_service, "persist", broken)
    with pytest.raises(RuntimeError, match="inline tasks ran"):
        instance_service.start_instance("inline_handlers", {}, "INL-2", "system")
    assert sorted(seen_in_step) == ["inline_a", "inline_ab"]
    assert _users() == set()
    with db.session() as session:
        assert session.scalar(select(ProcessInstance.id).where(ProcessInstance.business_key == "INL-2")) is None


def test_on_sqlite_every_service_task_is_a_job_with_the_same_outcome(sqlite_app):
    _deploy()
    instance = instance_service.start_instance("inline_handlers", {}, "INL-3", "system")
    assert _ready(instance.id) == ["review"]
    assert _jobs(instance.id) == {"note_a": "applied", "note_b": "applied"}
    assert _data(instance.id)["note_b"] == {"noted": "ab", "ran": "job"}
    _complete(instance.id, "review")
    assert _ready(instance.id) == ["after"]
    assert _data(instance.id)["flaky"] == {"ran": "job"}
    assert _users() == {"inline_a", "inline_ab", "inline_f_job"}
