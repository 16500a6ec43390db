"""Timers inside an instance: each expiry starts its path once; ``R<n>/…`` fires n times; a
non-interrupting duration on a sub-process occurs once."""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from app.engine.bounded import Limits
from app.engine.bundle import compile_bundle
from app.engine.parser import read_document
from app.engine.runtime import Run
from app.engine.script_engine import make_script_engine
from app.engine.script_functions import SCRIPT_FUNCTIONS
from tests.conftest import FIXTURES

CONFORMANCE = FIXTURES / "bpmn" / "conformance"


def _run(name: str = "cycle_event_subprocess.bpmn", key: str = "conf_cycle_subprocess") -> Run:
    model = CONFORMANCE / name
    bundle = compile_bundle(key, [read_document(model.name, model.read_bytes())])
    engine = make_script_engine(Limits(timeout=2.0), SCRIPT_FUNCTIONS)
    run = Run.resume(BpmnWorkflow(bundle.spec, bundle.subprocess_specs), bundle, engine)
    run.advance()
    return run


def _reminders(run: Run, bpmn_id: str = "remind") -> int:
    return len([t for t in run.workflow.get_tasks()  # a state filter would not look inside sub-processes
                if t.task_spec.bpmn_id == bpmn_id and t.has_state(TaskState.COMPLETED)])


def test_each_expiry_of_an_event_sub_process_cycle_runs_its_path_once():
    run = _run()
    assert _reminders(run) == 0
    assert run.expire_timers() == 1
    run.advance()
    assert _reminders(run) == 1 and run.failures == []


def test_a_cycle_of_four_fires_four_times_then_stops_waiting():
    run = _run()
    for expected in (1, 2, 3, 4):
        assert run.expire_timers() == 1
        run.advance()
        assert _reminders(run) == expected
    assert run.expire_timers() == 0  # no occurrence left: nothing waits for the cycle any more
    assert _reminders(run) == 4


def test_a_non_interrupting_duration_on_a_sub_process_runs_its_path_once():
    run = _run("subprocess_reminder.bpmn", "conf_subprocess_reminder")
    assert run.expire_timers() == 1
    run.advance()
    assert _reminders(run) == 1 and run.failures == []
    assert run.expire_timers() == 0  # a duration occurs once: nothing waits for it any more
    run.advance()
    assert _reminders(run) == 1
    assert [t.task_spec.bpmn_id for t in run.ready_human_tasks()] == ["check"]  # the sub-process goes on
