"""The runtime without a database: async service tasks, BPMN errors, state round trips."""

from __future__ import annotations

import pytest

from app.engine import serializer
from app.engine.bundle import compile_bundle
from app.engine.parser import read_document
from app.engine.runtime import Run, TaskNotReady
from app.engine.script_engine import make_script_engine
from tests.conftest import fixture_bytes


def _run(data=None):
    bundle = compile_bundle("smoke", [read_document("smoke.bpmn", fixture_bytes("smoke.bpmn"))])
    run = Run.start(bundle, make_script_engine(1.0), data or {"members": [{"income": 1}, {"income": 2}]})
    run.advance()
    return run


def test_service_tasks_wait_started_until_their_job_completes():
    run = _run()
    requests = {r.bpmn_id: r for r in run.take_job_requests()}
    assert set(requests) == {"call_a", "call_b"}
    assert requests["call_a"].params == {"value": 2} and requests["call_b"].params == {"value": 3}
    assert run.started_service_task_ids() == {r.task_id for r in requests.values()}
    assert run.take_job_requests() == []
    assert run.apply_job_result(requests["call_a"].task_id, "a_result", {"x": 1})
    assert not run.apply_job_result(requests["call_a"].task_id, "a_result", {"x": 2})


def test_bpmn_error_goes_to_the_boundary_event_or_reports_none():
    run = _run()
    requests = {r.bpmn_id: r for r in run.take_job_requests()}
    assert not run.throw_error(requests["call_a"].task_id, "SourceUnavailable", "no boundary on call_a")
    assert run.throw_error(requests["call_b"].task_id, "SourceUnavailable", "down")
    run.advance()
    assert [t.task_spec.bpmn_id for t in run.ready_human_tasks()] == ["manual_b"]


def test_state_round_trip_keeps_position_and_data_without_the_spec():
    run = _run()
    text = serializer.dumps(run.workflow)
    assert "task_specs" not in text and '"format":1' in text
    restored = serializer.loads(text, run.bundle.spec, run.bundle.subprocess_specs)
    again = Run.resume(restored, run.bundle, make_script_engine(1.0))
    assert again.started_service_task_ids() == run.started_service_task_ids()
    assert again.data()["count"] == 2


def test_stored_state_of_an_older_format_is_upgraded_on_load(monkeypatch):
    run = _run()
    text = serializer.dumps(run.workflow).replace('"format":1', '"format":0')
    calls = []
    monkeypatch.setitem(serializer.UPGRADES, 0, lambda dct: calls.append(sorted(dct)[:1]))
    serializer.loads(text, run.bundle.spec, run.bundle.subprocess_specs)
    assert calls
    monkeypatch.delitem(serializer.UPGRADES, 0)
    with pytest.raises(serializer.StateFormatError):
        serializer.loads(text, run.bundle.spec, run.bundle.subprocess_specs)


def test_completing_a_task_that_is_not_ready_is_refused():
    run = _run()
    request = run.take_job_requests()[0]
    with pytest.raises(TaskNotReady):
        run.complete_user_task(request.task_id, {})


def test_operator_parameter_schemas_keep_descriptions_of_lists_and_nested_fields():
    from marshmallow import Schema, fields

    from app.engine.operators import schema_to_json

    class Member(Schema):
        id_number = fields.String(required=True, metadata={"description": "身份证号"})

    class Params(Schema):
        members = fields.List(fields.Nested(Member), required=True, metadata={"description": "家庭成员"})
        months = fields.Integer(metadata={"title": "月数"})

    out = schema_to_json(Params)
    assert out["required"] == ["members"]
    assert out["properties"]["members"]["description"] == "家庭成员"
    assert out["properties"]["members"]["items"]["properties"]["id_number"]["description"] == "身份证号"
    assert out["properties"]["months"] == {"type": "integer", "title": "月数"}
