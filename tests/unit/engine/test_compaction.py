"""Compaction without a database: the live state shrinks, the engine goes on the same way, and the
live state plus its archives is the whole workflow again."""

from __future__ import annotations

import json

from app.engine import serializer
from app.engine.bundle import compile_bundle
from app.engine.parser import read_document
from app.engine.runtime import Run
from app.engine.script_engine import make_script_engine
from tests.conftest import fixture_bytes

MEMBERS = {"members": [{"income": 1}, {"income": 2}], "income": 3000}


def _bundle(key: str, *files: str):
    return compile_bundle(key, [read_document(name, fixture_bytes(name)) for name in files])


class Stored:
    """A run that is stored and loaded between actions, as ``with_instance`` does (``compact``) or
    kept whole in memory (the reference)."""

    def __init__(self, bundle, compact: bool):
        self.bundle, self.compact = bundle, compact
        self.run = Run.start(bundle, make_script_engine(1.0), dict(MEMBERS))
        self.archives: list[str] = []
        self.sizes: list[int] = []
        self.settle()

    def settle(self) -> None:
        self.run.advance()
        self.pending = self.run.take_job_requests()  # the outbox: they outlive the loaded run
        if not self.compact:
            return
        text, archive = serializer.dumps_live(self.run.workflow)
        self.sizes.append(len(text))
        if archive:
            self.archives.append(serializer.encode_archived(archive.workflows))
        workflow = serializer.loads(text, self.bundle.spec, self.bundle.subprocess_specs)
        self.run = Run.resume(workflow, self.bundle, make_script_engine(1.0))
        self.text = text

    def answer_jobs(self, error_on: str = "") -> None:
        for request in self.pending:
            if request.bpmn_id == error_on:
                assert self.run.throw_error(request.task_id, "SourceUnavailable", "down")
            else:
                self.run.apply_job_result(request.task_id, request.result_variable, {"echo": request.bpmn_id})
        self.settle()

    def complete(self, bpmn_id: str, data: dict) -> None:
        [task] = [t for t in self.run.ready_human_tasks() if t.task_spec.bpmn_id == bpmn_id]
        self.run.complete_user_task(str(task.id), data)
        self.settle()


def _shape(workflow) -> list[tuple]:
    """Every task as (process, spec, state, parent spec, data), without ids and times."""
    out = []
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            parent = task.parent.task_spec.name if task.parent is not None else None
            out.append((wf.spec.name, task.task_spec.name, task.state, parent,
                        json.dumps(task.data, sort_keys=True, default=str)))
    return sorted(out)


def _drive(stored: Stored, steps) -> Stored:
    for step in steps:
        step(stored)
    return stored


SMOKE = [lambda s: s.answer_jobs(error_on="call_b"), lambda s: s.complete("manual_b", {"checked": True}),
         lambda s: s.complete("review", {"decision": "approve"})]
CALL = [lambda s: s.answer_jobs(), lambda s: s.complete("c_review", {"decision": "approve"})]


def test_parallel_branches_a_boundary_error_and_user_tasks_end_the_same_with_a_small_live_state():
    bundle = _bundle("smoke", "smoke.bpmn")
    whole, live = Stored(bundle, compact=False), Stored(bundle, compact=True)
    for step in SMOKE:
        step(whole)
        step(live)
        assert sorted(t.task_spec.bpmn_id for t in live.run.ready_human_tasks()) == \
            sorted(t.task_spec.bpmn_id for t in whole.run.ready_human_tasks())
    assert live.run.completed and whole.run.completed
    assert live.run.data() == whole.run.data()
    assert len(live.text) < len(serializer.dumps(whole.run.workflow)) / 2
    rebuilt = serializer.loads_whole(live.text, live.archives, bundle.spec, bundle.subprocess_specs)
    assert _shape(rebuilt) == _shape(whole.run.workflow)


def test_a_finished_call_activity_leaves_the_state_and_comes_back_whole_from_the_archive():
    bundle = _bundle("call_parent", "call_parent.bpmn", "call_child.bpmn", "income_grade.dmn")
    whole, live = Stored(bundle, compact=False), Stored(bundle, compact=True)
    CALL[0](whole)
    CALL[0](live)
    assert len(live.run.workflow.subprocesses) == 1  # running: it stays, its first task stored against the caller
    assert '"caller_delta"' in live.text
    CALL[1](whole)
    CALL[1](live)
    assert live.run.completed and live.run.data() == whole.run.data()
    assert whole.run.workflow.subprocesses and not live.run.workflow.subprocesses
    archived = [w["process"] for a in live.archives for w in json.loads(a)]
    assert "call_child" in archived
    rebuilt = serializer.loads_whole(live.text, live.archives, bundle.spec, bundle.subprocess_specs)
    assert _shape(rebuilt) == _shape(whole.run.workflow)


def test_a_state_saved_whole_loads_and_compacts_on_its_next_save():
    bundle = _bundle("smoke", "smoke.bpmn")
    old = Stored(bundle, compact=False)
    SMOKE[0](old)
    text = serializer.dumps(old.run.workflow)  # as stored before compaction existed
    run = Run.resume(serializer.loads(text, bundle.spec, bundle.subprocess_specs), bundle, make_script_engine(1.0))
    live, archive = serializer.dumps_live(run.workflow)
    assert len(live) < len(text) and archive
    assert "prepare" in [n["bpmn_id"] for n in archive.nodes]
    again = Run.resume(serializer.loads(live, bundle.spec, bundle.subprocess_specs), bundle, make_script_engine(1.0))
    assert [t.task_spec.bpmn_id for t in again.ready_human_tasks()] == ["manual_b"]
