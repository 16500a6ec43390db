"""房源库 through the real processes on PostgreSQL: a round takes its units from the stock by criteria,
each household is offered only what the matching decisions allow, and the unit's status follows
the offer (reserved), the answer (a decline frees it), the signed lease (let) and the exit (vacant)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import db
from app.models import HumanTask
from app.services import task_service, tenancy_service
from app.services.errors import ValidationFailed
from app.stock import service as stock_service
from tests.processes.conftest import applicant, complete, ready_task
from tests.processes.test_tenancy_flow import OFFICER, approve
from tests.support.signing import sign

STOCK_OFFICER = OFFICER.__class__("city", "市住保", roles=("city_reviewer",), groups=("allocation_officer",))


def _add(code: str, layout: str, area: float) -> None:
    stock_service.add_unit(STOCK_OFFICER, {
        "code": code, "project": "天生苑", "district": "北碚区", "address": f"北碚区天生路8号{code}",
        "building": "1栋", "room_no": code, "housing_type": "gongzufang", "layout": layout, "usable_area": area,
        "floor": 1, "rent_rate": 10, "has_lift": False})


def _status(code: str) -> tuple[str, str]:
    unit = stock_service.get_unit(STOCK_OFFICER, code)
    return unit["status"], unit["held_by"]


def _answer(round_no: str, number: str, key: str, decision: dict) -> None:
    with db.session() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.business_key == round_no,
                                                      HumanTask.bpmn_id == "respond_offer",
                                                      HumanTask.status == "ready",
                                                      HumanTask.assignee == f"demo_{key}"))
    assert task is not None, number
    task_service.complete(applicant(key), task.id, {"response": decision})


def test_units_from_the_stock_are_reserved_let_and_freed_by_the_flow(flow_app, sandbox):
    family, single = approve("dibao_priority"), approve("yibao_gap")  # 2 people, 1 person
    _add("BB-1", "两室一厅", 55)   # the family's band only
    _add("BB-2", "一室一厅", 40)   # either
    _add("BB-3", "三室一厅", 90)   # neither
    _add("BB-4", "一室一厅", 38)
    stock_service.set_status(STOCK_OFFICER, "BB-4", "repair", "更换门窗")
    with pytest.raises(ValidationFailed) as none_left:
        tenancy_service.start_allocation_round(OFFICER, {"housing_type": "gongzufang", "district": "北碚区",
                                                         "method": "lottery", "source": "stock",
                                                         "layouts": ["三室两厅"]})
    assert none_left.value.errors == {"layouts": ["房源库中没有符合条件的空置房源"]}

    started = tenancy_service.start_allocation_round(OFFICER, {
        "housing_type": "gongzufang", "district": "北碚区", "method": "lottery", "source": "stock",
        "layouts": ["一室一厅", "两室一厅", "三室一厅"]})
    round_no = started["round_no"]
    assert tenancy_service.lottery_rounds()[0]["units"] == 3  # the unit under repair is not offered
    complete(OFFICER, round_no, "confirm_draw", {"confirm": True, "witness": "公证员"})
    assert _status("BB-1") == ("reserved", family) and _status("BB-2") == ("reserved", single)
    assert _status("BB-3") == ("vacant", "") and _status("BB-4") == ("repair", "")

    _answer(round_no, family, "dibao_priority", {"decision": "accept"})
    _answer(round_no, single, "yibao_gap", {"decision": "decline", "reason": "离单位太远"})
    assert _status("BB-2") == ("vacant", "") and _status("BB-1") == ("reserved", family)

    lease_key = f"L{family}"
    sign(applicant("dibao_priority"), ready_task(lease_key, "sign_lease").id, sandbox[1])
    assert _status("BB-1") == ("let", family)
    complete(OFFICER, lease_key, "confirm_move_in", {"moved_in_on": "2026-12-01", "keys_handed": True})
    tenancy_service.apply_exit(applicant("dibao_priority"), {"lease_no": lease_key, "kind": "voluntary",
                                                             "ground": "voluntary", "reason_text": "购房后退出"})
    complete(OFFICER, f"{lease_key}-exit", "return_unit", {"returned_on": "2027-01-10", "keys_returned": True,
                                                           "damages": []})
    unit = stock_service.get_unit(STOCK_OFFICER, "BB-1")
    assert unit["status"] == "vacant" and unit["held_by"] == ""
    assert [(h["from_status"], h["to_status"]) for h in reversed(unit["history"])] == [
        ("", "vacant"), ("vacant", "reserved"), ("reserved", "let"), ("let", "vacant")]
    assert unit["history"][1]["reason"] == f"签订租赁合同 {lease_key}" and unit["history"][0]["actor"] == "system"


def test_a_typed_round_still_works_without_the_stock(flow_app):
    approve("yibao_gap")
    started = tenancy_service.start_allocation_round(OFFICER, {
        "housing_type": "gongzufang", "district": "北碚区", "method": "selection", "source": "manual",
        "units": [{"code": "TYPED-9", "address": "北碚区手工录入1号", "area": 45, "rent": 450}]})
    with db.session() as session:
        offered = session.scalar(select(HumanTask).where(HumanTask.business_key == started["round_no"],
                                                         HumanTask.bpmn_id == "respond_offer"))
    assert offered is not None and offered.status == "ready"
    with pytest.raises(ValidationFailed) as empty:
        tenancy_service.start_allocation_round(OFFICER, {"housing_type": "gongzufang", "district": "北碚区",
                                                         "method": "selection", "source": "manual", "units": []})
    assert empty.value.errors == {"units": ["请至少录入一套房源"]}
