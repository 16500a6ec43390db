"""Moving a case that waits at the 公示 timer to a version that adds a step after it."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.models import HumanTask, ProcessInstance
from app.services import definition_service, instance_service, migration_service, task_service
from tests.modeler.conftest import BPMN, fixture_text
from tests.support.settle import settle

#: after the 公示 timer a city check, then the end
CITY_CHECK = fixture_text(BPMN).replace(
    '<bpmn:sequenceFlow id="f6" sourceRef="publicity_period" targetRef="end_approved" />',
    '<bpmn:sequenceFlow id="f6" sourceRef="publicity_period" targetRef="city_check" />'
    '<bpmn:sequenceFlow id="f7" sourceRef="city_check" targetRef="end_approved" />').replace(
    '<bpmn:endEvent id="end_approved" name="公示结束">\n      <bpmn:incoming>f6</bpmn:incoming>',
    '<bpmn:userTask id="city_check" name="市级复核"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="formJsonSchemaFilename" value="review.schema.json" />'
    '</spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f6</bpmn:incoming>'
    '<bpmn:outgoing>f7</bpmn:outgoing></bpmn:userTask>'
    '<bpmn:endEvent id="end_approved" name="公示结束">\n      <bpmn:incoming>f7</bpmn:incoming>').replace(
    "<bpmn:flowNodeRef>end_approved</bpmn:flowNodeRef>",
    "<bpmn:flowNodeRef>city_check</bpmn:flowNodeRef><bpmn:flowNodeRef>end_approved</bpmn:flowNodeRef>")


def _ready(instance_id: str) -> list[HumanTask]:
    with db.session() as session:
        return list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                            HumanTask.status == "ready")))


def test_a_case_waiting_at_the_publicity_timer_moves_and_keeps_its_due_time(modeler_app):
    for edit in ('targetRef="city_check"', "<bpmn:incoming>f7</bpmn:incoming>", ">city_check</bpmn:flowNodeRef>"):
        assert edit in CITY_CHECK
    instance = instance_service.start_instance("gzf_trial", {"application_no": "GZF-T-1", "household_size": 3,
                                                             "income_per_person": 4000}, business_key="GZF-T-1")
    settle()
    [review] = _ready(instance.id)
    reviewer = Identity("street_yz", "street_yz", roles=("reviewer",), groups=("street_reviewer",))
    task_service.complete(reviewer, review.id, {"decision": "approve", "opinion": "材料齐全"})
    settle()
    with db.session() as session:
        due = session.get(ProcessInstance, instance.id).next_timer_due_at
    assert due is not None and _ready(instance.id) == []
    definition_service.deploy([(BPMN, CITY_CHECK.encode())], "policy", "公示后增加市级复核")
    [row] = migration_service.plan("gzf_trial")["instances"]
    assert row["can_migrate"] and row["waiting_at"] == ["publicity_period"]
    assert migration_service.migrate("gzf_trial", [instance.id], None, "policy")["results"][0]["migrated"]
    with db.session() as session:
        assert session.get(ProcessInstance, instance.id).next_timer_due_at == due   # the 公示 keeps its end
    instance_service.fire_timers_now(instance.id, "operator")
    settle()
    assert [t.bpmn_id for t in _ready(instance.id)] == ["city_check"]   # the step the new version added
