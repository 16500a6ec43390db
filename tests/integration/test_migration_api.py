"""Moving waiting instances to a newer version of their process."""

from __future__ import annotations

import io

import pytest
from flask import current_app

from app.services import migration_service
from tests.conftest import deploy_fixture, fixture_bytes
from tests.processes.conftest import PROCESSES, flow_app, ready_task, sandbox, staff, submit  # noqa: F401
from tests.processes.conftest import complete as complete_task
from tests.processes.conftest import deploy as deploy_processes
from tests.support.api import complete, history_ids, instance, ready, start

DATA = {"members": [{"income": 1}, {"income": 2}], "district": "渝中区"}


def _deploy(client, auth, xml: bytes):
    response = client.post("/api/v1/process-definitions", headers=auth("policy"), content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(xml), "smoke.bpmn")]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["items"][0]["version"]


def test_plan_and_migrate_a_waiting_instance(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    moved, stays = start(client, auth(), "smoke", DATA, "M-1"), start(client, auth(), "smoke", DATA, "M-2")
    v2 = _deploy(client, auth, fixture_bytes("smoke.bpmn").replace(b"count &gt; 1", b"count &gt; 100"))
    plan = client.get("/api/v1/process-definitions/smoke/migration-plan", headers=auth("policy")).get_json()
    assert plan["to_version"] == v2 == 2
    rows = {r["instance_id"]: r for r in plan["instances"]}
    assert rows[moved["id"]]["can_migrate"] and rows[moved["id"]]["waiting_at"] == ["manual_b"]
    result = client.post("/api/v1/process-definitions/smoke/migrations", headers=auth("policy"),
                         json={"instance_ids": [moved["id"]]}).get_json()
    assert result["results"] == [{"instance_id": moved["id"], "migrated": True}]
    assert instance(client, auth(), moved["id"])["version"] == 2
    for inst in (moved, stays):
        complete(client, auth(), ready(client, auth(), inst["id"], "manual_b")[0]["id"])
    assert instance(client, auth(), moved["id"])["status"] == "completed"  # new rule: no review
    assert [t["bpmn_id"] for t in ready(client, auth(), stays["id"])] == ["review"]  # old rule
    assert history_ids(client, auth(), moved["id"])[-1] == "end_small"


def _smoke(*replacements: tuple[bytes, bytes]) -> bytes:
    xml = fixture_bytes("smoke.bpmn")
    for old, new in replacements:
        assert old in xml, old
        xml = xml.replace(old, new)
    return xml


def _plan(client, auth, key: str = "smoke") -> dict:
    response = client.get(f"/api/v1/process-definitions/{key}/migration-plan", headers=auth("policy"))
    assert response.status_code == 200, response.get_json()
    return {row["instance_id"]: row for row in response.get_json()["instances"]}


def _migrate(client, auth, instance_id: str, key: str = "smoke") -> dict:
    response = client.post(f"/api/v1/process-definitions/{key}/migrations", headers=auth("policy"),
                           json={"instance_ids": [instance_id]})
    assert response.status_code == 200, response.get_json()
    [result] = response.get_json()["results"]
    return result


#: a user task after the waiting manual_b: manual_b → extra_check → merge_b; manual_b renamed
ADDED_STEP = (('name="人工核查B"'.encode(), 'name="人工核查B（新）"'.encode()),
              (b'<bpmn:sequenceFlow id="f8" sourceRef="manual_b" targetRef="merge_b" />',
               b'<bpmn:sequenceFlow id="f8" sourceRef="manual_b" targetRef="extra_check" />'
               b'<bpmn:sequenceFlow id="f8b" sourceRef="extra_check" targetRef="merge_b" />'),
              (b'<bpmn:incoming>f8</bpmn:incoming>\n      <bpmn:outgoing>f6b</bpmn:outgoing>',
               b'<bpmn:incoming>f8b</bpmn:incoming>\n      <bpmn:outgoing>f6b</bpmn:outgoing>'),
              (b'<bpmn:exclusiveGateway id="merge_b"',
               b'<bpmn:userTask id="extra_check" name="extra">'
               b'<bpmn:incoming>f8</bpmn:incoming><bpmn:outgoing>f8b</bpmn:outgoing></bpmn:userTask>'
               b'<bpmn:exclusiveGateway id="merge_b"'),
              (b"<bpmn:flowNodeRef>manual_b</bpmn:flowNodeRef>",
               b"<bpmn:flowNodeRef>manual_b</bpmn:flowNodeRef><bpmn:flowNodeRef>extra_check</bpmn:flowNodeRef>"))
#: the review not reached yet is gone: decide → end directly
REMOVED_REVIEW = ((b'targetRef="review">', b'targetRef="end">'),
                  (b'<bpmn:incoming>f11</bpmn:incoming>', b'<bpmn:incoming>f10</bpmn:incoming>'),
                  (b'<bpmn:sequenceFlow id="f11" sourceRef="review" targetRef="end" />', b""),
                  (b"<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", b""))


def _without_review(xml: bytes) -> bytes:
    start, end = xml.index(b'<bpmn:userTask id="review"'), xml.index(b"</bpmn:userTask>") + len(b"</bpmn:userTask>")
    return xml[:start] + xml[end:]


def test_a_case_moves_past_a_step_added_after_where_it_waits(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", DATA, "ADD-1")
    assert _deploy(client, auth, _smoke(*ADDED_STEP)) == 2
    row = _plan(client, auth)[inst["id"]]
    assert row["can_migrate"] and row["waiting_at"] == ["manual_b"] and row["missing_elements"] == []
    assert _migrate(client, auth, inst["id"]) == {"instance_id": inst["id"], "migrated": True}
    [waiting] = ready(client, auth(), inst["id"], "manual_b")
    assert waiting["name"] == "人工核查B（新）"   # the inbox shows the new version's step
    complete(client, auth(), waiting["id"])
    assert [t["bpmn_id"] for t in ready(client, auth(), inst["id"])] == ["extra_check"]   # the new step
    complete(client, auth(), ready(client, auth(), inst["id"], "extra_check")[0]["id"])
    assert [t["bpmn_id"] for t in ready(client, auth(), inst["id"])] == ["review"]


def test_a_case_moves_when_a_step_it_has_not_reached_is_removed(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    moved, stays = start(client, auth(), "smoke", DATA, "RM-1"), start(client, auth(), "smoke", DATA, "RM-2")
    assert _deploy(client, auth, _without_review(_smoke(*REMOVED_REVIEW))) == 2
    assert _plan(client, auth)[moved["id"]]["can_migrate"] is True
    assert _migrate(client, auth, moved["id"])["migrated"] is True
    for inst in (moved, stays):
        complete(client, auth(), ready(client, auth(), inst["id"], "manual_b")[0]["id"])
    assert instance(client, auth(), moved["id"])["status"] == "completed"
    assert history_ids(client, auth(), moved["id"])[-1] == "end"
    assert [t["bpmn_id"] for t in ready(client, auth(), stays["id"])] == ["review"]   # v1 keeps its review


def test_a_case_cannot_move_when_its_waiting_step_is_renamed(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", DATA, "RN-1")
    renamed = fixture_bytes("smoke.bpmn").replace(b"manual_b", b"manual_check")
    _deploy(client, auth, renamed)
    row = _plan(client, auth)[inst["id"]]
    assert row["can_migrate"] is False and row["missing_waiting"] == ["manual_b"] and row["missing_completed"] == []
    assert "manual_b" in row["reason"] and "正在等待" in row["reason"]
    result = _migrate(client, auth, inst["id"])
    assert result["migrated"] is False and "manual_b" in result["reason"]
    assert instance(client, auth(), inst["id"])["version"] == 1
    complete(client, auth(), ready(client, auth(), inst["id"], "manual_b")[0]["id"])
    assert [t["bpmn_id"] for t in ready(client, auth(), inst["id"])] == ["review"]   # goes on under v1


def _renamed(element: str) -> bytes:
    xml = fixture_bytes("smoke.bpmn")
    for old, new in ((f'id="{element}"', f'id="{element}_v2"'), (f'Ref="{element}"', f'Ref="{element}_v2"'),
                     (f">{element}</bpmn:flowNodeRef>", f">{element}_v2</bpmn:flowNodeRef>")):
        xml = xml.replace(old.encode(), new.encode())
    return xml


def test_a_completed_step_removed_blocks_the_move_with_its_reason(client, auth):
    """``call_a`` finished in the parallel section that is still open (``manual_b`` waits): the live
    state still binds it."""
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", DATA)
    _deploy(client, auth, _renamed("call_a"))
    row = _plan(client, auth)[inst["id"]]
    assert row["can_migrate"] is False and row["missing_waiting"] == [] and row["missing_completed"] == ["call_a"]
    assert row["missing_elements"] == ["call_a"] and "已办结" in row["reason"]
    result = _migrate(client, auth, inst["id"])
    assert result["migrated"] is False and "call_a" in result["reason"]
    assert instance(client, auth(), inst["id"])["version"] == 1


def test_a_removed_step_whose_record_is_archived_does_not_block_the_move(client, auth):
    """``prepare`` finished before the parallel calls: it left the live state for the archive, where
    its record needs no diagram, so the move keeps it."""
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", DATA)
    _deploy(client, auth, _renamed("prepare"))
    assert _plan(client, auth)[inst["id"]]["can_migrate"] is True
    assert _migrate(client, auth, inst["id"])["migrated"] is True
    assert instance(client, auth(), inst["id"])["version"] == 2
    history = client.get(f"/api/v1/process-instances/{inst['id']}/history", headers=auth()).get_json()["items"]
    assert "prepare" in [n["bpmn_id"] for n in history]
    manual = ready(client, auth(), inst["id"], "manual_b")[0]
    assert complete(client, auth(), manual["id"], {"checked": True}).status_code == 200
    review = ready(client, auth(), inst["id"], "review")[0]
    assert complete(client, auth(), review["id"], {"decision": "approve", "opinion": "同意"}).status_code == 200
    assert instance(client, auth(), inst["id"])["status"] == "completed"
    assert history_ids(client, auth(), inst["id"])[:2] == ["start", "prepare"]


CHILD_RENAMED = fixture_bytes("call_child.bpmn").replace(b"c_review", b"c_check")
#: a user task after the waiting c_review inside the called process
CHILD_ADDED = fixture_bytes("call_child.bpmn").replace(
    b'<bpmn:sequenceFlow id="c3" sourceRef="c_review" targetRef="c_end" />',
    b'<bpmn:sequenceFlow id="c3" sourceRef="c_review" targetRef="c_more" />'
    b'<bpmn:sequenceFlow id="c4" sourceRef="c_more" targetRef="c_end" />').replace(
    b'<bpmn:endEvent id="c_end">\n      <bpmn:incoming>c3</bpmn:incoming>',
    b'<bpmn:userTask id="c_more" name="more"><bpmn:extensionElements><spiffworkflow:properties>'
    b'<spiffworkflow:property name="candidateGroups" value="reviewers" /></spiffworkflow:properties>'
    b'</bpmn:extensionElements><bpmn:incoming>c3</bpmn:incoming><bpmn:outgoing>c4</bpmn:outgoing></bpmn:userTask>'
    b'<bpmn:endEvent id="c_end">\n      <bpmn:incoming>c4</bpmn:incoming>')
PARENT_V2 = fixture_bytes("call_parent.bpmn").replace('name="子流程"'.encode(), b'name="child v2"')


def _deploy_files(client, auth, *files: tuple[str, bytes]) -> None:
    response = client.post("/api/v1/process-definitions", headers=auth("policy"), content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(xml), name) for name, xml in files]})
    assert response.status_code == 201, response.get_json()


def test_a_case_waiting_inside_a_called_process_needs_its_step_there(client, auth):
    deploy_fixture(client, auth(), "call_parent.bpmn", "call_child.bpmn", "income_grade.dmn")
    blocked, moved = (start(client, auth(), "call_parent", {"income": 3000}, f"CALL-{n}") for n in (1, 2))
    assert [t["bpmn_id"] for t in ready(client, auth(), moved["id"])] == ["c_review"]
    _deploy_files(client, auth, ("call_parent.bpmn", PARENT_V2), ("call_child.bpmn", CHILD_RENAMED))
    row = _plan(client, auth, "call_parent")[blocked["id"]]
    assert row["can_migrate"] is False and row["missing_waiting"] == ["c_review"]
    assert _migrate(client, auth, blocked["id"], "call_parent")["migrated"] is False
    _deploy_files(client, auth, ("call_child.bpmn", CHILD_ADDED))   # parent v2 now calls child v3
    assert _plan(client, auth, "call_parent")[moved["id"]]["can_migrate"] is True
    assert _migrate(client, auth, moved["id"], "call_parent")["migrated"] is True
    complete(client, auth(), ready(client, auth(), moved["id"], "c_review")[0]["id"])
    assert [t["bpmn_id"] for t in ready(client, auth(), moved["id"])] == ["c_more"]
    complete(client, auth(), ready(client, auth(), moved["id"], "c_more")[0]["id"])
    assert instance(client, auth(), moved["id"])["status"] == "completed"


def test_migration_needs_policy_staff(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    assert client.get("/api/v1/process-definitions/smoke/migration-plan", headers=auth("reviewer")).status_code == 403
    empty = client.post("/api/v1/process-definitions/smoke/migrations", headers=auth(), json={"instance_ids": []})
    assert empty.status_code == 422


@pytest.mark.usefixtures("flow_app")
def test_a_real_gongzufang_case_moves_to_a_new_publication_period_and_goes_on():
    case = submit("eligible_nuclear")
    number = case["application_no"]
    street = staff("street", "street_reviewer", case["district"])
    complete_task(street, number, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
    original = (PROCESSES / "gongzufang_application.bpmn").read_bytes()
    edited = original.replace(b"publication_days = 7", b"publication_days = 8")
    assert edited != original
    app = current_app._get_current_object()
    assert deploy_processes(app.test_client(), app, [("gongzufang_application.bpmn", edited)]).status_code == 201
    [row] = [r for r in migration_service.plan("gongzufang_application")["instances"] if r["business_key"] == number]
    assert row["can_migrate"] and row["waiting_at"] == ["preliminary_review"]   # past the verification call
    result = migration_service.migrate("gongzufang_application", [row["instance_id"]], None, "policy")
    assert result["results"] == [{"instance_id": row["instance_id"], "migrated": True}]
    complete_task(street, number, "preliminary_review", {"decision": "approve", "opinion": "入户核查属实"})
    assert ready_task(number, "district_review") is not None
