"""The audit chain holds under concurrent writers and catches each way of tampering with it."""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from app.audit import service
from app.audit.keys import AuditKey, event_hash
from app.db import db
from app.models import AuditChainHead, AuditEvent
from app.services import audit_service

SUBJECT = ("process_instance", "case-1")


def _write(n: int, subject=SUBJECT, actor: str = "alice") -> None:
    for i in range(n):
        with db.transaction() as session:
            audit_service.record(session, actor, "task.completed", *subject, {"i": i}, instance_id=None)


def _sql(statement: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _events(subject=SUBJECT) -> list[AuditEvent]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.subject_type == subject[0], AuditEvent.subject_id == subject[1]).order_by(AuditEvent.seq)))


def _problems(report) -> set[tuple[str, str, int | None]]:
    return {(b.problem, b.subject_id, b.event_id) for b in report.breaks}


def test_two_transactions_writing_one_subject_at_once_leave_one_unbroken_chain(app):
    from sqlalchemy import event as sa_event

    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold(session):  # runs after the chain is sealed onto the locked head, before the commit
        holding.set()
        release.wait(10)

    def first():
        try:
            with app.app_context(), db.transaction() as session:
                audit_service.record(session, "first", "a", *SUBJECT)
                audit_service.record(session, "first", "b", *SUBJECT)
                sa_event.listen(session, "before_commit", hold)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def second():
        try:
            with app.app_context(), db.transaction() as session:
                audit_service.record(session, "second", "c", *SUBJECT)
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    t1 = threading.Thread(target=first)
    t1.start()
    assert holding.wait(10)
    t2 = threading.Thread(target=second)
    t2.start()
    t2.join(0.5)
    assert t2.is_alive(), "the second writer must wait for the first one's chain head"
    release.set()
    t1.join(10)
    t2.join(10)
    assert not errors
    events = _events()
    assert [(e.actor, e.seq) for e in events] == [("first", 1), ("first", 2), ("second", 3)]
    assert events[2].prev_hash == events[1].hash
    with db.session() as session:
        assert audit_service.verify_chain(session, *SUBJECT)


def test_many_concurrent_writers_build_one_chain(app):
    def writer(name: str):
        with app.app_context():
            for i in range(8):
                with db.transaction() as session:
                    audit_service.record(session, name, "x", *SUBJECT, {"i": i})
                    audit_service.record(session, name, "y", *SUBJECT, {"i": i})

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    events = _events()
    assert [e.seq for e in events] == list(range(1, 65))
    with db.session() as session:
        head = session.get(AuditChainHead, SUBJECT)
        assert (head.head_hash, head.count) == (events[-1].hash, 64)
    report, _ = service.run_verification()
    assert report.ok, [b.message for b in report.breaks]
    assert report.events == 64


def test_an_intact_trail_verifies_and_is_summarised(app):
    _write(3)
    _write(2, ("deployment", "7"))
    report, _ = service.run_verification()
    assert report.ok and report.subjects == 2 and report.events == 5
    assert "审计链完整" in report.summary()


def test_an_edited_event_is_named(app):
    _write(3)
    victim = _events()[1]
    _sql("UPDATE audit_event SET actor = 'mallory' WHERE id = :id", id=victim.id)
    report, _ = service.run_verification()
    assert ("hash_mismatch", "case-1", victim.id) in _problems(report)
    assert f"事件 #{victim.id}" in report.breaks[0].message


def test_a_chain_recomputed_without_the_key_does_not_verify(app):
    _write(3)
    forger = AuditKey(b"a guessed key that is not the real one")
    prev = ""
    for event in _events():
        event.actor, event.prev_hash = "mallory", prev
        event.hash = event_hash(forger, event)
        _sql("UPDATE audit_event SET actor = :a, prev_hash = :p, hash = :h WHERE id = :id",
             a=event.actor, p=event.prev_hash, h=event.hash, id=event.id)
        prev = event.hash
    _sql("UPDATE audit_chain_head SET head_hash = :h", h=prev)
    report, _ = service.run_verification()
    assert {p for p, _, _ in _problems(report)} == {"hash_mismatch"}
    assert len(report.breaks) == 3


def test_a_deleted_tail_is_caught_by_the_head_and_by_the_checkpoint(app):
    _write(4)
    service.take_checkpoint()
    events = _events()
    _sql("DELETE FROM audit_event WHERE id IN (:a, :b)", a=events[2].id, b=events[3].id)
    report, _ = service.run_verification()
    assert "head_mismatch" in {p for p, _, _ in _problems(report)}
    # the attacker rewrites the head too: the signed checkpoint still remembers four events
    _sql("UPDATE audit_chain_head SET head_hash = :h, count = 2", h=events[1].hash)
    report, _ = service.run_verification()
    assert {(b.problem, b.subject_id, b.seq) for b in report.breaks} == {("checkpoint_mismatch", "case-1", 4)}
    assert "检查点" in report.breaks[0].message


def test_a_deleted_subject_is_named(app):
    _write(2)
    _write(3, ("process_instance", "case-2"))
    service.take_checkpoint()
    _sql("DELETE FROM audit_event WHERE subject_id = 'case-2'")
    report, _ = service.run_verification()
    assert ("subject_missing", "case-2", None) in _problems(report)
    _sql("DELETE FROM audit_chain_head WHERE subject_id = 'case-2'")
    report, _ = service.run_verification()
    assert _problems(report) == {("checkpoint_mismatch", "case-2", None)}


def test_an_inserted_forged_event_is_caught(app):
    _write(2)
    service.take_checkpoint()
    last = _events()[-1]
    for key_id in (last.key_id, ""):  # claiming the real key, or posing as an old unkeyed event
        _sql("INSERT INTO audit_event (at, actor, action, subject_type, subject_id, instance_id, details, seq, key_id,"
             " prev_hash, hash) VALUES (now(), 'mallory', 'task.completed', 'process_instance', 'case-1', NULL,"
             " '{}', 3, :k, :p, :h)", k=key_id, p=last.hash, h="f" * 64)
        _sql("UPDATE audit_chain_head SET head_hash = :h, count = 3", h="f" * 64)
        report, _ = service.run_verification()
        forged = _events()[-1]
        expected = "hash_mismatch" if key_id else "unkeyed_event"
        assert _problems(report) == {(expected, "case-1", forged.id)}
        _sql("DELETE FROM audit_event WHERE id = :id", id=forged.id)


def test_an_event_deleted_from_the_middle_breaks_the_sequence(app):
    _write(4)
    victim = _events()[1]
    _sql("DELETE FROM audit_event WHERE id = :id", id=victim.id)
    report, _ = service.run_verification()
    assert ("seq_gap", "case-1", victim.id + 1) in _problems(report)


def test_a_tampered_checkpoint_is_refused(app):
    _write(2)
    cp, created = service.take_checkpoint()
    assert created and cp.subjects == 1 and cp.events == 2
    assert service.take_checkpoint() == (cp, False)  # nothing changed: no new checkpoint
    _sql("UPDATE audit_checkpoint SET root = :r", r="0" * 64)
    report, _ = service.run_verification()
    assert [b.problem for b in report.breaks] == ["checkpoint_invalid"]


def test_since_walks_recent_chains_and_still_checks_every_head_against_the_checkpoint(app):
    from app.db import utcnow

    _write(3, ("process_instance", "old"))
    service.take_checkpoint()
    cutoff = utcnow()
    _write(1)
    report, _ = service.run_verification(since=cutoff)
    assert report.ok and report.events == 1
    old = _events(("process_instance", "old"))
    _sql("DELETE FROM audit_event WHERE id = :id", id=old[-1].id)
    _sql("UPDATE audit_chain_head SET head_hash = :h, count = 2 WHERE subject_id = 'old'", h=old[1].hash)
    report, _ = service.run_verification(since=cutoff)
    assert _problems(report) == {("checkpoint_mismatch", "old", None)}


def test_recording_costs_one_head_upsert_and_one_head_update_per_subject_and_transaction(app):
    from sqlalchemy import event as sa_event

    statements: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):
        statements.append(statement.split()[0].upper() + " " + statement.split("INTO ")[-1].split()[0]
                          if statement.startswith("INSERT") else statement.split()[0].upper())

    _write(1)  # the head exists already
    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.transaction() as session:
            for n in range(5):
                audit_service.record(session, "alice", "step", *SUBJECT, {"n": n})
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    heads = [s for s in statements if "audit_chain_head" in s or s == "UPDATE"]
    assert heads == ["INSERT audit_chain_head", "UPDATE"]
    print(statements)
    assert statements.count("INSERT audit_event") == 1  # the five events go in one statement


def test_a_writer_that_locks_a_row_before_recording_does_not_deadlock_with_one_that_records_first(app):
    """Like a task claim (task row, then audit) beside a step of the same case (audit, then task
    rows): chain heads are locked last, at commit, so neither waits for the other in a cycle."""
    _sql("INSERT INTO case_counter (prefix, last) VALUES ('DL', 0)")
    recorded, locked = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def step():
        try:
            with app.app_context(), db.transaction() as session:
                audit_service.record(session, "step", "jobs.applied", *SUBJECT)
                recorded.set()
                locked.wait(10)
                session.execute(text("UPDATE case_counter SET last = last + 1 WHERE prefix = 'DL'"))
        except BaseException as exc:
            errors.append(exc)

    def claim():
        try:
            recorded.wait(10)
            with app.app_context(), db.transaction() as session:
                session.execute(text("SELECT last FROM case_counter WHERE prefix = 'DL' FOR UPDATE"))
                locked.set()
                audit_service.record(session, "claim", "task.claimed", *SUBJECT)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=step), threading.Thread(target=claim)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sorted(e.actor for e in _events()) == ["claim", "step"]
    with db.session() as session:
        assert audit_service.verify_chain(session, *SUBJECT)


def test_a_head_read_before_another_writer_moved_it_is_not_forked_from(app):
    """A step reads its instance's chain head with the instance lock and seals onto that value
    without a query; when someone else extended the chain in between, the seal finds the head
    moved and chains onto the locked head instead."""
    from app.audit import chain

    _write(2)
    with db.session() as session:
        head = session.get(AuditChainHead, SUBJECT)
        read = (head.head_hash, head.count)
    with db.transaction() as session:
        chain.note_head(session, *SUBJECT, *read)  # what the step read
        _write(1, actor="meanwhile")  # another transaction moves the head and commits
        audit_service.record(session, "step", "jobs.applied", *SUBJECT, instance_id=None)
    events = _events()
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.actor for e in events][2:] == ["meanwhile", "step"]
    assert events[3].prev_hash == events[2].hash
    report, _ = service.run_verification()
    assert report.ok, report.summary()


def test_a_head_read_by_the_step_is_moved_without_locking_it_first(app):
    """The usual case: nobody wrote in between, the head moves from the value read, the chain
    verifies; and a new subject's head row is created by its first seal."""
    from app.audit import chain

    new_subject = ("process_instance", "case-new")
    with db.transaction() as session:
        chain.note_head(session, *new_subject, None, None)
        audit_service.record(session, "step", "instance.started", *new_subject, instance_id=None)
        audit_service.record(session, "step", "jobs.applied", *new_subject, instance_id=None)
    with db.session() as session:
        head = session.get(AuditChainHead, new_subject)
        read = (head.head_hash, head.count)
    assert read[1] == 2
    with db.transaction() as session:
        chain.note_head(session, *new_subject, *read)
        audit_service.record(session, "step", "task.completed", *new_subject, instance_id=None)
    assert [e.seq for e in _events(new_subject)] == [1, 2, 3]
    report, _ = service.run_verification()
    assert report.ok, report.summary()


def test_a_rolled_back_savepoint_drops_its_own_events_and_keeps_the_transactions_others(app):
    from sqlalchemy import event as sa_event

    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        statements.append(statement.split()[0].upper() + (" audit_event" if "audit_event" in statement else ""))

    def note(session, action: str) -> None:  # a statement and an event, as a handler in a savepoint writes
        session.execute(text("SELECT 1"))
        audit_service.record(session, "alice", action, *SUBJECT)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.transaction() as session:
            note(session, "before")
            try:
                with session.begin_nested():                   # rolled back, with a savepoint inside it
                    note(session, "dropped")
                    with session.begin_nested():
                        note(session, "dropped too")
                    raise RuntimeError("the savepoint fails")
            except RuntimeError:
                pass
            with session.begin_nested():                       # released: its event stays
                note(session, "kept")
            note(session, "after")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert [(e.seq, e.action) for e in _events()] == [(1, "before"), (2, "kept"), (3, "after")]
    # sealed once, at the commit: no event is written when a savepoint is released
    assert statements.count("SAVEPOINT") == 3 and statements.count("ROLLBACK") == 1
    assert statements.count("INSERT audit_event") == 1
    assert statements.index("INSERT audit_event") > max(i for i, s in enumerate(statements) if s == "RELEASE")
    report, _ = service.run_verification()
    assert report.ok, [b.message for b in report.breaks]
    with db.transaction() as session:  # a rollback of the transaction itself still records nothing
        note(session, "never")
        session.rollback()
    assert [e.action for e in _events()][-1] == "after"
