"""BPMN 2.0.2 constructs the engine cannot run are refused at deploy (422 naming the element and
the construct); the ones it can run deploy, start and fire their timers. Never a 500."""

from __future__ import annotations

import io
import time

from sqlalchemy import select

from app.db import db
from app.models import ProcessInstance
from app.services import timer_service
from tests.conftest import FIXTURES
from tests.support.api import history_ids, instance
from tests.support.settle import settle

CONFORMANCE = FIXTURES / "bpmn" / "conformance"


def deploy(client, headers, name: str):
    data = {"files": [(io.BytesIO((CONFORMANCE / name).read_bytes()), name)]}
    return client.post("/api/v1/process-definitions", data=data, headers=headers,
                       content_type="multipart/form-data")


def start(client, headers, key: str):
    return client.post("/api/v1/process-instances", json={"process_key": key, "data": {}}, headers=headers)


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, (response.status_code, response.get_json())
    assert response.get_json()["error_code"]
    return {e["element_id"]: e["message"] for e in response.get_json()["errors"] if e["severity"] == "error"}


def test_a_data_store_without_an_implementation_is_refused_at_deploy(client, auth):
    errors = errors_of(deploy(client, auth(), "data_store.bpmn"))
    assert "data store" in errors["register_ref"].lower()
    assert "住房登记册" in errors["register_ref"]


def test_an_ad_hoc_sub_process_is_refused_at_deploy_not_at_start(client, auth):
    errors = errors_of(deploy(client, auth(), "adhoc.bpmn"))
    assert "ad-hoc sub-process" in errors["checks"] and "not supported" in errors["checks"]
    assert start(client, auth("reviewer"), "conf_adhoc").status_code == 404


def test_interleaved_parallel_routing_is_refused_at_deploy(client, auth):
    errors = errors_of(deploy(client, auth(), "interleaved.bpmn"))
    assert "Sequential" in errors["visits"] and "ad-hoc sub-process" in errors["visits"]


def test_a_task_without_outgoing_flow_deploys_and_starts(client, auth):
    assert deploy(client, auth(), "cancel_task.bpmn").status_code == 201
    response = start(client, auth("reviewer"), "conf_cancel_task")
    assert response.status_code == 201, response.get_json()
    inst = instance(client, auth(), response.get_json()["id"])
    assert inst["status"] == "running"
    assert [t["bpmn_id"] for t in inst["ready_tasks"]] == ["verify"]


def test_a_sub_process_whose_end_no_flow_reaches_is_refused_at_deploy(client, auth):
    errors = errors_of(deploy(client, auth(), "dead_end_subprocess.bpmn"))
    assert "no sequence flow reaches an end event" in errors["region"]
    assert start(client, auth("reviewer"), "conf_dead_end").status_code == 404

def test_a_time_cycle_on_an_event_sub_process_fires_without_a_500(client, auth):
    assert deploy(client, auth(), "cycle_event_subprocess.bpmn").status_code == 201
    response = start(client, auth("reviewer"), "conf_cycle_subprocess")
    assert response.status_code == 201, response.get_json()
    instance_id = response.get_json()["id"]
    fired = client.post(f"/api/v1/process-instances/{instance_id}/timers/fire", headers=auth("operator"))
    assert fired.status_code == 200, fired.get_json()
    assert fired.get_json()["fired"] == 1
    waiting = instance(client, auth(), instance_id)["waiting_events"]
    assert [(e["bpmn_id"], e["type"]) for e in waiting] == [("tick", "timer")]  # three occurrences left
    assert instance(client, auth(), instance_id)["status"] == "running"


def test_a_sub_process_without_a_start_event_is_refused_at_deploy_not_at_start(client, auth):
    errors = errors_of(deploy(client, auth(), "cancel_region.bpmn"))
    assert "verification" in errors and "start event" in errors["verification"]
    assert start(client, auth("reviewer"), "conf_cancel_region").status_code == 404


def test_the_scheduler_and_timers_fire_agree_on_a_sub_process_reminder(client, auth):
    assert deploy(client, auth(), "subprocess_reminder.bpmn").status_code == 201
    by_hand, by_scheduler = (start(client, auth("reviewer"), "conf_subprocess_reminder").get_json()["id"]
                             for _ in range(2))
    fired = client.post(f"/api/v1/process-instances/{by_hand}/timers/fire", headers=auth("operator"))
    assert fired.status_code == 200 and fired.get_json()["fired"] in (0, 1)
    time.sleep(2.2)  # the duration ("PT2S") has passed for both
    timer_service.fire_due_timers()
    for instance_id in (by_hand, by_scheduler):
        details = instance(client, auth(), instance_id)
        assert history_ids(client, auth(), instance_id).count("remind") == 1  # once, not once per firing
        assert [t["bpmn_id"] for t in details["ready_tasks"]] == ["check"]
        assert details["waiting_events"] == []
    assert timer_service.fire_due_timers() == 0
    again = client.post(f"/api/v1/process-instances/{by_hand}/timers/fire", headers=auth("operator"))
    assert again.status_code == 200 and again.get_json()["fired"] == 0
    assert history_ids(client, auth(), by_hand).count("remind") == 1


def _ready_ids(client, headers, instance_id: str) -> list[str]:
    return sorted(t["bpmn_id"] for t in instance(client, headers, instance_id)["ready_tasks"])


def _complete_ready(client, headers, instance_id: str, bpmn_id: str) -> None:
    task = next(t for t in instance(client, headers, instance_id)["ready_tasks"] if t["bpmn_id"] == bpmn_id)
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}}, headers=headers)
    assert response.status_code == 200, response.get_json()


def test_several_unconditional_outgoing_flows_split_in_parallel_and_an_activity_merges_each_token(client, auth):
    assert deploy(client, auth(), "implicit_parallel.bpmn").status_code == 201
    response = start(client, auth("reviewer"), "conf_implicit_parallel")
    assert response.status_code == 201, response.get_json()
    instance_id = response.get_json()["id"]
    _complete_ready(client, auth("reviewer"), instance_id, "receive")
    assert _ready_ids(client, auth("reviewer"), instance_id) == ["check_hukou", "check_income"]
    _complete_ready(client, auth("reviewer"), instance_id, "check_hukou")
    assert _ready_ids(client, auth("reviewer"), instance_id) == ["archive", "check_income"]
    _complete_ready(client, auth("reviewer"), instance_id, "archive")
    _complete_ready(client, auth("reviewer"), instance_id, "check_income")
    assert _ready_ids(client, auth("reviewer"), instance_id) == ["archive"]  # the second token passes too
    _complete_ready(client, auth("reviewer"), instance_id, "archive")
    assert instance(client, auth(), instance_id)["status"] == "completed"
    history = history_ids(client, auth(), instance_id)
    assert history.count("archive") == 2
    assert not any("implicit" in bpmn_id for bpmn_id in history)  # only what is on the diagram


def test_conditional_outgoing_flows_take_every_true_condition_and_the_default_only_when_none_holds(client, auth):
    assert deploy(client, auth(), "implicit_conditional.bpmn").status_code == 201
    cases = [({"income": 3000, "members": 5}, ["family_check", "subsidy"]),
             ({"income": 1500, "members": 2}, ["subsidy"]),
             ({"income": 9000, "members": 2}, ["standard"])]
    for data, expected in cases:
        response = client.post("/api/v1/process-instances", json={"process_key": "conf_implicit_conditional",
                                                                   "data": data}, headers=auth("reviewer"))
        assert response.status_code == 201, response.get_json()
        instance_id = response.get_json()["id"]
        assert _ready_ids(client, auth("reviewer"), instance_id) == expected, data
        for bpmn_id in expected:
            _complete_ready(client, auth("reviewer"), instance_id, bpmn_id)
        assert instance(client, auth(), instance_id)["status"] == "completed", data


def test_a_cycle_on_a_non_interrupting_sub_process_boundary_runs_its_path_n_times_by_scheduler_or_by_hand(
        client, auth):
    assert deploy(client, auth(), "subprocess_cycle.bpmn").status_code == 201
    by_hand, by_scheduler = (start(client, auth("reviewer"), "conf_subprocess_cycle").get_json()["id"]
                             for _ in range(2))
    for _ in range(3):
        fired = client.post(f"/api/v1/process-instances/{by_hand}/timers/fire", headers=auth("operator"))
        assert fired.status_code == 200 and fired.get_json()["fired"] == 1, fired.get_json()
    deadline = time.monotonic() + 15
    while history_ids(client, auth(), by_scheduler).count("remind") < 3 and time.monotonic() < deadline:
        time.sleep(0.3)
        timer_service.fire_due_timers()
    time.sleep(1.2)
    timer_service.fire_due_timers()  # a fourth occurrence would be due by now: there is none
    for instance_id in (by_hand, by_scheduler):
        details = instance(client, auth(), instance_id)
        assert history_ids(client, auth(), instance_id).count("remind") == 3, instance_id
        assert [t["bpmn_id"] for t in details["ready_tasks"]] == ["check"]
        assert details["waiting_events"] == []
    again = client.post(f"/api/v1/process-instances/{by_hand}/timers/fire", headers=auth("operator"))
    assert again.status_code == 200 and again.get_json()["fired"] == 0


def test_compensation_and_link_events_are_refused_at_deploy_naming_each_element(client, auth):
    errors = errors_of(deploy(client, auth(), "compensation.bpmn"))
    assert "compensation event" in errors["on_compensate"] and "boundaryEvent" in errors["on_compensate"]
    assert "compensation event" in errors["undo"] and "intermediateThrowEvent" in errors["undo"]
    assert "compensation handler" in errors["refund_deposit"]
    assert "link event" in errors["go_to_end"] and "link event" in errors["from_link"]
    assert start(client, auth("reviewer"), "conf_compensation").status_code == 404


def test_a_complex_gateway_is_refused_at_deploy(client, auth):
    errors = errors_of(deploy(client, auth(), "complex_gateway.bpmn"))
    assert "complex gateway (complexGateway)" in errors["two_of_three"]


def test_escalations_reach_non_interrupting_and_interrupting_boundaries_on_sub_processes(client, auth):
    assert deploy(client, auth(), "escalation_subprocess.bpmn").status_code == 201
    response = start(client, auth("reviewer"), "conf_escalation_subprocess")
    assert response.status_code == 201, response.get_json()
    instance_id = response.get_json()["id"]
    assert _ready_ids(client, auth("reviewer"), instance_id) == ["continue_review", "notify_director"]
    _complete_ready(client, auth("reviewer"), instance_id, "notify_director")
    _complete_ready(client, auth("reviewer"), instance_id, "continue_review")
    assert _ready_ids(client, auth("reviewer"), instance_id) == ["handle_refusal"]  # not "archive"
    _complete_ready(client, auth("reviewer"), instance_id, "handle_refusal")
    assert instance(client, auth(), instance_id)["status"] == "completed"
    assert "archive" not in history_ids(client, auth(), instance_id)


def _deploy_and_start(client, auth, name: str, key: str) -> str:
    assert deploy(client, auth(), name).status_code == 201
    response = start(client, auth("reviewer"), key)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_discriminator_drawn_as_a_multi_merge_runs_every_branch_to_the_end(client, auth):
    # WCP-9 without a complex gateway: the continuation follows the first check at once and,
    # the merge being uncontrolled, runs again for each later check; nothing waits at the end
    instance_id = _deploy_and_start(client, auth, "discriminator.bpmn", "conf_discriminator")
    reviewer = auth("reviewer")
    assert _ready_ids(client, reviewer, instance_id) == ["check_hukou", "check_income", "check_property"]
    _complete_ready(client, reviewer, instance_id, "check_income")
    assert _ready_ids(client, reviewer, instance_id) == ["check_hukou", "check_property", "notify"]
    _complete_ready(client, reviewer, instance_id, "notify")
    _complete_ready(client, reviewer, instance_id, "check_hukou")
    _complete_ready(client, reviewer, instance_id, "check_property")
    assert _ready_ids(client, reviewer, instance_id) == ["notify", "notify"]
    _complete_ready(client, reviewer, instance_id, "notify")
    _complete_ready(client, reviewer, instance_id, "notify")
    details = instance(client, auth(), instance_id)
    assert details["status"] == "completed"
    assert details["ready_tasks"] == [] and details["waiting_events"] == []
    history = history_ids(client, auth(), instance_id)
    for check in ("check_hukou", "check_income", "check_property"):
        assert history.count(check) == 1, history
    assert history.count("notify") == 3 and history.count("end") == 3, history


def test_the_same_branches_joined_by_an_inclusive_gateway_continue_once_after_the_last(client, auth):
    instance_id = _deploy_and_start(client, auth, "discriminator_join.bpmn", "conf_discriminator_join")
    reviewer = auth("reviewer")
    _complete_ready(client, reviewer, instance_id, "check_income")
    _complete_ready(client, reviewer, instance_id, "check_hukou")
    assert _ready_ids(client, reviewer, instance_id) == ["check_property"]  # the join still waits
    _complete_ready(client, reviewer, instance_id, "check_property")
    assert _ready_ids(client, reviewer, instance_id) == ["notify"]
    _complete_ready(client, reviewer, instance_id, "notify")
    assert instance(client, auth(), instance_id)["status"] == "completed"
    history = history_ids(client, auth(), instance_id)
    assert history.count("notify") == 1 and history.count("end") == 1, history


def test_multiple_instances_without_synchronisation_start_one_instance_each_and_the_flow_goes_on(client, auth):
    # WCP-12: a parallel multi-instance send task starts one inspection per household; the
    # dispatcher carries on and ends while the inspections are still open
    assert deploy(client, auth(), "mi_no_sync.bpmn").status_code == 201
    households = ["A-101", "A-102", "B-201"]
    response = client.post("/api/v1/process-instances", headers=auth("reviewer"), json={
        "process_key": "conf_mi_dispatch", "data": {"households": households}, "business_key": "PC-2026-7"})
    assert response.status_code == 201, response.get_json()
    dispatcher = response.get_json()["id"]
    settle()
    reviewer = auth("reviewer")
    assert _ready_ids(client, reviewer, dispatcher) == ["carry_on"]
    _complete_ready(client, reviewer, dispatcher, "carry_on")
    assert instance(client, auth(), dispatcher)["status"] == "completed"  # no inspection waited for
    assert history_ids(client, auth(), dispatcher).count("carry_on") == 1
    with db.session() as session:
        inspections = list(session.scalars(select(ProcessInstance.id)
                                           .where(ProcessInstance.process_key == "conf_mi_inspection")))
    assert len(inspections) == 3
    assert sorted(instance(client, auth(), i)["data"]["household"] for i in inspections) == households
    assert {instance(client, auth(), i)["business_key"] for i in inspections} == {"PC-2026-7"}
    for inspection in inspections:
        assert _ready_ids(client, reviewer, inspection) == ["inspect"]
        _complete_ready(client, reviewer, inspection, "inspect")
        details = instance(client, auth(), inspection)
        assert details["status"] == "completed" and details["waiting_events"] == []
        assert history_ids(client, auth(), inspection) == ["start_inspection", "inspect", "end_inspected"]


def test_a_multi_instance_over_a_missing_collection_fails_its_task_not_the_request(client, auth):
    # the collection the instances loop over is None: the task fails like a script would (an
    # incident naming it), and starting the process still answers 201
    assert deploy(client, auth(), "mi_no_sync.bpmn").status_code == 201
    response = client.post("/api/v1/process-instances", headers=auth("reviewer"), json={
        "process_key": "conf_mi_dispatch", "data": {"households": None}, "business_key": "PC-2026-8"})
    assert response.status_code == 201, response.get_json()
    [incident] = instance(client, auth(), response.get_json()["id"])["incidents"]
    assert incident["kind"] == "script_error" and "TypeError" in incident["message"], incident
