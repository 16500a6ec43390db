"""A task's state change builds its log record only when the ``spiff.task`` logger keeps it."""

from __future__ import annotations

import logging

from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

import app.engine.runtime  # noqa: F401  (installs the host's methods)
from app.engine import state_changes
from app.engine.bundle import compile_bundle
from app.engine.parser import read_document
from app.engine.runtime import Run
from app.engine.script_engine import make_script_engine
from tests.conftest import fixture_bytes


def _run() -> Run:
    bundle = compile_bundle("smoke", [read_document("smoke.bpmn", fixture_bytes("smoke.bpmn"))])
    return Run.start(bundle, make_script_engine(1.0), {"members": [{"income": 1}], "income": 3000})


def test_the_host_method_is_installed():
    assert Task._set_state is state_changes.set_state


def test_a_change_unlogged_sets_the_state_and_its_time_and_collects_no_extras(monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="spiff.task")
    collected = []
    monkeypatch.setattr(Task, "collect_log_extras", lambda self, dct=None: collected.append(self) or {})
    run = _run()
    run.advance()
    task = next(t for t in run.workflow.tasks.values() if t.state == TaskState.COMPLETED)
    before = task.last_state_change
    task._set_state(TaskState.CANCELLED)
    assert task.state == TaskState.CANCELLED and task.last_state_change >= before
    task._set_state(TaskState.CANCELLED)  # the same state again: nothing changes
    assert task.state == TaskState.CANCELLED
    assert collected == [] and not [r for r in caplog.records if r.name == "spiff.task"]


def test_a_change_is_logged_as_spiffworkflow_logs_it_when_the_logger_keeps_it(caplog):
    caplog.set_level(logging.INFO, logger="spiff.task")
    run = _run()
    run.advance()
    records = [r for r in caplog.records if r.name == "spiff.task"]
    assert any(r.getMessage() == "State changed to READY" for r in records)
    assert all(r.task_spec and r.workflow_spec == "smoke" for r in records)
    task = records[0].task_id
    caplog.set_level(logging.DEBUG, logger="spiff.task")
    run.workflow.tasks[task]._set_state(run.workflow.tasks[task].state)  # the same state: DEBUG only
    assert caplog.records[-1].getMessage().startswith("State set to") and caplog.records[-1].task_id == task
