"""Storing and applying a batch's results (app.services.job_service).

A batch whose instance still waits for another of its jobs only stores its results; the batch
that finishes last applies them all in one resume, and writes each of its own job rows once —
its result together with its new state.
"""

from __future__ import annotations

from sqlalchemy import event, select

from app.db import db
from app.models import AuditEvent, Job
from app.services import instance_service, job_service
from tests.conftest import bearer, deploy_fixture


class _Holding:
    """A queue no worker reads: the test hands the claimed jobs to the worker's code itself."""

    def submit(self, job_ids, force: bool = False) -> None:
        pass

    def holds(self, job_id: str) -> bool:
        return False


def _job(instance_id: str, bpmn_id: str) -> Job:
    with db.session() as session:
        return session.scalars(select(Job).where(Job.instance_id == instance_id, Job.bpmn_id == bpmn_id)).one()


def test_the_last_batch_applies_every_stored_result_and_writes_its_own_rows_once(app, monkeypatch):
    assert deploy_fixture(app.test_client(), bearer(app), "smoke.bpmn").status_code == 201
    monkeypatch.setitem(app.extensions, "housing.runner", _Holding())
    inst = instance_service.start_instance("smoke", {"members": [{"income": 1}], "district": "渝中区"}, "JR-1")
    first_id, second_id = _job(inst.id, "call_a").id, _job(inst.id, "call_b").id

    # the first call finishes while the second is still queued: its result is only stored
    [first] = job_service.claim([first_id])
    assert job_service._store_and_resume(inst.id, [(first, {"echo": "a"})]) == {first_id: "succeeded"}
    stored = _job(inst.id, "call_a")
    assert (stored.state, stored.result, stored.lease_until) == ("succeeded", {"echo": "a"}, None)

    # the second finishes: one resume applies both
    [second] = job_service.claim([second_id])
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert job_service._store_and_resume(inst.id, [(second, {"echo": "b"})]) == {second_id: "succeeded"}
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    a, b = _job(inst.id, "call_a"), _job(inst.id, "call_b")
    assert (a.state, a.result) == ("applied", {"echo": "a"})
    assert (b.state, b.result, b.lease_until, b.error_code) == ("applied", {"echo": "b"}, None, None)
    with db.session() as session:
        [applied] = session.scalars(select(AuditEvent.details).where(
            AuditEvent.instance_id == inst.id, AuditEvent.action == "jobs.applied")).all()
    assert [j["bpmn_id"] for j in applied["jobs"]] == ["call_a", "call_b"]  # the earlier result first
    data = instance_service.get_instance(inst.id)["data"]
    assert (data["a_result"], data["b_result"]) == ({"echo": "a"}, {"echo": "b"})

    job_reads = [s for s in statements if s.startswith("SELECT") and " FROM job " in s + " "]
    job_writes = [s for s in statements if s.startswith("UPDATE job")]
    assert len(job_reads) == 1  # read once with the instance locked: states and what to apply
    # the second job's row written once, with its result and state; the first's state alone
    assert len(job_writes) == 2
    assert sum("result=" in s for s in job_writes) == 1
