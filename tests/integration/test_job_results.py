"""Storing and applying a batch's results (app.services.job_service).

A batch whose instance still waits for another of its jobs only stores its results; the batch
that finishes last applies them all in one resume, and writes each of its own job rows once —
its result together with its new state.
"""

from __future__ import annotations

import uuid

from sqlalchemy import event, insert, select, text

from app.db import db, utcnow
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


def _index_names(plan: dict) -> set[str]:
    return ({plan["Index Name"]} if "Index Name" in plan else set()).union(
        *(_index_names(p) for p in plan.get("Plans", [])))


def test_a_claim_finds_its_jobs_by_id_whatever_the_state_index_holds(app, monkeypatch):
    """Every claimed job leaves its ``queued`` row version in the state index until VACUUM; the
    claim must not read those: it goes to its jobs through the primary key."""
    assert deploy_fixture(app.test_client(), bearer(app), "smoke.bpmn").status_code == 201
    monkeypatch.setitem(app.extensions, "housing.runner", _Holding())
    inst = instance_service.start_instance("smoke", {"members": [{"income": 1}], "district": "渝中区"}, "JR-3")
    now = utcnow()
    rows = [{"id": str(uuid.uuid4()), "instance_id": inst.id, "task_id": str(uuid.uuid4()), "bpmn_id": "call_a",
             "operator": "echo", "params": {}, "result_variable": "r", "idempotency_key": uuid.uuid4().hex,
             "state": "queued", "run_after": now} for _ in range(3000)]
    with db.transaction() as session:
        session.execute(insert(Job), rows)
    with db.transaction() as session:  # most of them claimed and applied since: dead row versions
        session.execute(text("UPDATE job SET state = 'running' WHERE id = ANY(:ids)"),
                        {"ids": [r["id"] for r in rows[:2900]]})
        session.execute(text("UPDATE job SET state = 'applied' WHERE id = ANY(:ids)"),
                        {"ids": [r["id"] for r in rows[:2900]]})
    with db.engine.connect() as conn:  # statistics that count the few queued jobs left
        conn.execute(text("ANALYZE job"))
        conn.commit()
    claims: list[tuple[str, dict]] = []

    def record(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().startswith("UPDATE job SET state"):
            claims.append((statement, params))

    wanted = [r["id"] for r in rows[2900:2914]]
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert {c.id for c in job_service.claim(wanted)} == set(wanted)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    [(statement, params)] = claims
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("EXPLAIN (FORMAT JSON) " + statement, params)
        used = _index_names(cur.fetchone()[0][0]["Plan"])
        raw.rollback()
    finally:
        raw.close()
    assert "job_pkey" in used and "ix_job_state_run_after" not in used, used
