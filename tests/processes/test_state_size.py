"""A case's stored state holds only its live work through its whole life (ADR 0021), while the
work it finished stays readable: history, the diagram's completed steps, process migration."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.db import db
from app.engine import serializer
from app.engine.compaction import Archive
from app.models import InstanceArchive, ProcessInstance
from app.services import case_file_service, instance_service, migration_service, publication_service, tenancy_service
from tests.conftest import bearer
from tests.processes.conftest import PROCESSES, applicant, complete, deploy, ready_task, staff, submit
from tests.support.signing import sign

#: the most a live instance may store (the verification alone used to be ~120 KB of it)
LIMIT = 30_000
KEY = "multi_generation"  # the largest eligible household: five members, 14 sources each
OFFICER = staff("city", "allocation_officer", None, "city_reviewer")


def running_states() -> dict[str, int]:
    """Bytes of the stored state of every running instance, by instance id."""
    with db.session() as session:
        rows = session.execute(select(ProcessInstance.id, ProcessInstance.state)
                               .where(ProcessInstance.status == "running")).all()
    return {row.id: len(row.state.encode("utf-8")) for row in rows}


def assert_small(stage: str) -> None:
    sizes = running_states()
    assert sizes, f"nothing runs at {stage}"
    too_big = {iid: size for iid, size in sizes.items() if size > LIMIT}
    assert not too_big, f"at {stage} these instances store more than {LIMIT:,} bytes: {too_big}"


def test_every_live_instance_of_a_case_stays_small_from_submission_to_the_lease(flow_app, sandbox):
    case = submit(KEY)
    number, district, iid = case["application_no"], case["district"], case["instance_id"]
    street = staff("street", "street_reviewer", district)
    assert_small("submission")
    complete(street, number, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
    assert_small("初审 after the 14 checks")
    complete(street, number, "preliminary_review", {"decision": "approve", "opinion": "入户核查属实"})
    assert_small("复审")
    complete(staff("district", "district_reviewer", district, "district_reviewer"), number, "district_review",
             {"decision": "approve", "opinion": "同意"})
    for group in ("dept_minzheng", "dept_zhujian", "dept_renshe"):
        assert_small(f"会签 ({group})")
        complete(staff(group, group, None, "dept_reviewer"), number, "countersign",
                 {"signature": {"decision": "approve", "opinion": "同意"}}, group)
    publication_service.file_objection({
        "application_no": number, "objector_name": "王五", "objector_id_number": "500103199001011234",
        "objector_phone": "13800000000", "content": "该户另有住房，请核查。"})
    assert_small("公示 with an objection")
    complete(staff("inv", "investigator", None, "city_reviewer"), number, "investigate",
             {"decision": "dismissed", "finding_text": "经核查，异议不成立"})
    instance_service.fire_timers_now(iid, "test")
    with db.session() as session:
        closed = session.get(ProcessInstance, iid)
        assert closed.status == "completed" and len(closed.state.encode("utf-8")) <= LIMIT

    started = tenancy_service.start_allocation_round(OFFICER, {
        "housing_type": "gongzufang", "district": district, "method": "lottery",
        "units": [{"code": "AGE-0001", "address": "示例路1号", "area": 60.0, "rent": 600.0}]})
    assert_small("allocation")
    complete(OFFICER, started["round_no"], "confirm_draw", {"confirm": True, "witness": "公证员"})
    complete(applicant(KEY), started["round_no"], "respond_offer", {"response": {"decision": "accept"}})
    lease_key = f"L{number}"
    assert_small("lease")
    sign(applicant(KEY), ready_task(lease_key, "sign_lease").id, sandbox[1])
    complete(OFFICER, lease_key, "confirm_move_in", {"moved_in_on": "2026-12-01", "keys_handed": True})

    # the finished work left the row but not the record
    history = instance_service.history(iid)
    ids = [n["bpmn_id"] for n in history]
    for earlier, later in [("acceptance", "check_hukou"), ("check_hukou", "preliminary_review"),
                           ("preliminary_review", "district_review"), ("district_review", "countersign"),
                           ("countersign", "investigate"), ("investigate", "end_approved")]:
        assert earlier in ids and later in ids and ids.index(earlier) < ids.index(later), ids
    assert {n["process"] for n in history} >= {"gongzufang_application", "verification", "publication"}
    assert len({n["task_id"] for n in history}) == len(history)
    assert next(n for n in history if n["bpmn_id"] == "acceptance")["actor"] == "street"
    with db.session() as session:
        archived = session.scalars(select(InstanceArchive).where(InstanceArchive.instance_id == iid)).all()
    cut = [json.loads(a.tasks) for a in archived]
    assert {w["process"] for batch in cut for w in batch} >= {"verification", "publication"}
    response = flow_app.test_client().get(f"/api/v1/process-instances/{iid}/history",
                                          headers=bearer(flow_app))
    assert response.status_code == 200 and [n["bpmn_id"] for n in response.get_json()["items"]] == ids
    done = case_file_service.diagram(street, iid)["done"]
    assert {"acceptance", "verify_household", "preliminary_review", "publish"} <= set(done)


def test_a_state_saved_whole_loads_and_its_next_step_archives_the_finished_part(flow_app, monkeypatch):
    """Rows written before compaction hold every task; they load unchanged, keep their history, and
    the next step stores them small."""
    whole = lambda workflow: (serializer.dumps(workflow), Archive())  # noqa: E731 - the layout of before
    monkeypatch.setattr(serializer, "dumps_live", whole)
    case = submit(KEY)
    number, district, iid = case["application_no"], case["district"], case["instance_id"]
    street = staff("street", "street_reviewer", district)
    complete(street, number, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
    with db.session() as session:
        old_size = len(session.get(ProcessInstance, iid).state.encode("utf-8"))
    before = instance_service.history(iid)
    assert old_size > 3 * LIMIT and "check_hukou" in [n["bpmn_id"] for n in before]
    monkeypatch.undo()

    complete(street, number, "preliminary_review", {"decision": "approve", "opinion": "入户核查属实"})
    with db.session() as session:
        assert len(session.get(ProcessInstance, iid).state.encode("utf-8")) <= LIMIT
        assert session.scalar(select(func.count()).select_from(InstanceArchive)
                              .where(InstanceArchive.instance_id == iid)) >= 1
    after = instance_service.history(iid)
    assert [n["task_id"] for n in after][:len(before)] == [n["task_id"] for n in before]
    assert "preliminary_review" in [n["bpmn_id"] for n in after[len(before):]]


def test_a_compacted_case_moves_to_a_new_version_and_goes_on(flow_app):
    case = submit("eligible_single")
    number, district, iid = case["application_no"], case["district"], case["instance_id"]
    street = staff("street", "street_reviewer", district)
    complete(street, number, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
    bpmn = (PROCESSES / "gongzufang_application.bpmn").read_text(encoding="utf-8")
    edited = bpmn.replace('name="复审"', 'name="区级复审"', 1)
    assert edited != bpmn
    response = deploy(flow_app.test_client(), flow_app, [("gongzufang_application.bpmn", edited.encode())])
    assert response.status_code == 201, response.get_json()
    [planned] = [p for p in migration_service.plan("gongzufang_application")["instances"] if p["instance_id"] == iid]
    assert planned["can_migrate"], planned
    [moved] = migration_service.migrate("gongzufang_application", [iid], None, "policy")["results"]
    assert moved["migrated"], moved
    complete(street, number, "preliminary_review", {"decision": "approve", "opinion": "入户核查属实"})
    review = ready_task(number, "district_review")
    assert review is not None and review.name == "区级复审"
    assert "check_hukou" in [n["bpmn_id"] for n in instance_service.history(iid)]
