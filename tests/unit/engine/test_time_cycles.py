"""Time cycles inside an instance: each expiry starts the path once; ``R<n>/…`` fires n times."""

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

MODEL = FIXTURES / "bpmn" / "conformance" / "cycle_event_subprocess.bpmn"


def _run() -> Run:
    bundle = compile_bundle("conf_cycle_subprocess", [read_document(MODEL.name, MODEL.read_bytes())])
    engine = make_script_engine(Limits(timeout=2.0), SCRIPT_FUNCTIONS)
    run = Run.resume(BpmnWorkflow(bundle.spec, bundle.subprocess_specs), bundle, engine)
    run.advance()
    return run


def _reminders(run: Run) -> int:
    return len([t for t in run.workflow.get_tasks()  # a state filter would not look inside sub-processes
                if t.task_spec.bpmn_id == "remind" and t.has_state(TaskState.COMPLETED)])


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
