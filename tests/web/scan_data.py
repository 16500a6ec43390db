"""A small city's worth of cases for the page scan, each at a step whose page has something to show.

Built through the processes themselves (the real diagrams and forms, the connector sandbox over
HTTP), as the demo users:

- 渝中区 (the demo ``applicant``): the tax source is down at verification, so 人社 checks by hand;
  then 受理 … 会签, 公示, the waiting list, a lottery round, the offer accepted, the lease
  signed and moved into, a payment and the rent bills; a complaint about it.
- 渝中区, three more households waiting and a second lottery round waiting for its draw.
- 沙坪坝区 (``applicant_nuclear``): in 公示 with an objection from the public.
- 江北区 (``applicant2``, over the income limit): at 受理, its verdicts failing; and a lease of
  the same household whose income check raises a supervision warning.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.auth.identity import Identity
from app.complaints import service as complaint_service
from app.db import db, utcnow
from app.ledger import service as ledger_service
from app.ledger import sweeps as ledger_sweeps
from app.models import Application, Incident, Lease
from app.services import (
    case_service,
    demo_service,
    instance_service,
    publication_service,
    tenancy_service,
    user_service,
)
from app.supervision import schedule
from app.supervision.models import SupervisionCheck
from tests.processes.conftest import complete, household, ready_task
from tests.support import lottery_data
from tests.support.settle import settle
from tests.support.signing import sign

#: applicants beyond the demo's two
APPLICANTS = {"applicant_nuclear": "刘建国 (申请人)", "applicant_spouse": "黄丽华 (申请人)",
              "applicant_vehicle": "周明 (申请人)"}


def person(username: str) -> Identity:
    """The demo user ``username`` as the services see them."""
    for name, display, roles, groups, district in demo_service.DEMO_USERS:
        if name == username:
            return Identity(name, display, roles=tuple(roles), groups=tuple(groups), district=district)
    return Identity(username, APPLICANTS.get(username, username), roles=("applicant",), groups=("applicant",))


def _submit(username: str, key: str) -> dict:
    return case_service.submit_application(person(username), household(key)["form"])


def _review(number: str, district_suffix: str) -> None:
    """受理, 初审, 复审 and the three departments' countersign, as the district's demo reviewers."""
    street, district = person(f"street_{district_suffix}"), person(f"district_{district_suffix}")
    complete(street, number, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
    complete(street, number, "preliminary_review", {"decision": "approve", "opinion": "入户核查属实"})
    complete(district, number, "district_review", {"decision": "approve", "opinion": "同意"})
    for username, group in (("minzheng", "dept_minzheng"), ("zhujian", "dept_zhujian"), ("renshe", "dept_renshe")):
        complete(person(username), number, "countersign", {"signature": {"decision": "approve", "opinion": "同意"}},
                 group)


def _manual_tax_check(number: str) -> None:
    """人社 answers the tax check by hand, member by member, after the source failed."""
    task = ready_task(number, "manual_check")
    assert task is not None, f"no manual check for {number}"
    members = case_service.get_case(person("renshe"), number)["household"]["members"]
    facts = [{"name": m.get("name") or "成员", "found": True, "monthly_income": 2500 if i == 0 else 0,
              "months_taxed": 12 if i == 0 else 0, "total_income": 30000 if i == 0 else 0, "tax_paid": 0}
             for i, m in enumerate(members)]
    complete(person("renshe"), number, "manual_check", {"manual_finding": {
        "verdict": "pass", "summary": "经函询区税务局，个税申报与申报收入一致", "members": facts}})


def build(admin) -> dict:
    """Every case above; returns the numbers the scan names in its report. ``admin`` drives the sandbox."""
    demo_service.load_demo_users()
    for username, name in APPLICANTS.items():
        user_service.upsert_user(username, name, demo_service.DEMO_PASSWORD, ["applicant"], ["applicant"], None)
    demo_service.load_demo_public_content()
    demo_service.load_demo_stock()
    officer = person("city")

    # 渝中区: verification with the tax platform down, then a manual check, then the reviews
    admin.inject("tax", "5xx", times=None)
    try:
        leased = _submit("applicant", "eligible_single")["application_no"]
        complete(person("street_yz"), leased, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
        settle(30)
    finally:
        admin.clear_faults()
    _manual_tax_check(leased)
    street, district = person("street_yz"), person("district_yz")
    complete(street, leased, "preliminary_review", {"decision": "approve", "opinion": "入户核查属实"})
    complete(district, leased, "district_review", {"decision": "approve", "opinion": "同意"})
    for username, group in (("minzheng", "dept_minzheng"), ("zhujian", "dept_zhujian"), ("renshe", "dept_renshe")):
        complete(person(username), leased, "countersign", {"signature": {"decision": "approve", "opinion": "同意"}},
                 group)
    case = case_service.get_case(person("applicant"), leased)
    instance_service.fire_timers_now(case["instance_id"], "test")  # the 公示 period ends

    # a lottery round over it alone: the offer, the lease, moving in, a payment, the bills
    unit = {"code": "YZ-SCAN-0101", "address": "渝中区大坪正街1号1-1", "area": 45.0, "rent": 520.0}
    first = tenancy_service.start_allocation_round(officer, {
        "housing_type": "gongzufang", "district": "渝中区", "method": "lottery", "units": [unit]})
    complete(officer, first["round_no"], "confirm_draw", {"confirm": True, "witness": "公证员 李明"})
    complete(person("applicant"), first["round_no"], "respond_offer", {"response": {"decision": "accept"}})
    lease_no = f"L{leased}"
    sign(person("applicant"), ready_task(lease_no, "sign_lease").id, admin)
    complete(officer, lease_no, "confirm_move_in", {"moved_in_on": date.today().isoformat(), "keys_handed": True})
    ledger_sweeps.sync_all()
    ledger_service.record_payment(officer, lease_no, {"amount": "1040", "paid_on": date.today().isoformat()})
    complaint_service.file_complaint(
        {"category": "房屋质量", "content": "卫生间漏水，报修一周无人处理。", "district": "渝中区",
         "application_no": leased, "lease_no": lease_no, "complainant_name": "张三",
         "complainant_phone": "13983001001"}, "portal", "applicant", username="applicant")

    # three more households waiting in 渝中区: one is offered a unit, accepts and has a lease to
    # sign; then one is offered a unit and has not answered; a last round waits for its draw
    lottery_data.seed_waiting_households()
    for number, name, _id, _masked in lottery_data.HOUSEHOLDS:
        user_service.upsert_user(f"u{number[-3:]}", name, demo_service.DEMO_PASSWORD, ["applicant"], ["applicant"],
                                 None)
    for n, unit in enumerate(lottery_data.UNITS):
        drawn = tenancy_service.start_allocation_round(officer, {
            "housing_type": "gongzufang", "district": "渝中区", "method": "lottery", "units": [unit]})
        complete(officer, drawn["round_no"], "confirm_draw", {"confirm": True, "witness": "公证员 李明"})
        if n == 0:
            offer = ready_task(drawn["round_no"], "respond_offer")
            complete(person(offer.assignee), drawn["round_no"], "respond_offer", {"response": {"decision": "accept"}})
    pending = tenancy_service.start_allocation_round(officer, {
        "housing_type": "gongzufang", "district": "渝中区", "method": "lottery", "units": lottery_data.UNITS})
    with db.transaction() as session:  # what a source that keeps failing leaves for the operators
        case = session.scalar(select(Application).where(Application.application_no == leased))
        session.add(Incident(instance_id=case.instance_id, process_key="gongzufang_application", task_id="",
                             bpmn_id="check_tax", task_name="税务核查", kind="job", error_code="CircuitOpen",
                             message="tax: the circuit breaker is open after 5 failures; calls fail fast for 30 s"))

    # 沙坪坝区: in 公示, with an objection
    published = _submit("applicant_nuclear", "eligible_nuclear")["application_no"]
    settle(30)
    _review(published, "spb")
    publication_service.file_objection({
        "application_no": published, "objector_name": "钱多多", "objector_id_number": "11010519491231002X",
        "objector_phone": "13912345678", "content": "该户在本区另有住房，请核查。"})

    # 江北区: over the income limit, at 受理; and a lease of the household with a supervision warning
    rejected = _submit("applicant2", "over_income")["application_no"]
    settle(30)
    warned = _supervision_warning(rejected)

    # 大渡口区: the tax platform down again, the case waits for 人社's manual check
    admin.inject("tax", "5xx", times=None)
    try:
        checking = _submit("applicant_spouse", "undeclared_spouse")["application_no"]
        complete(person("street_ddk"), checking, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
        settle(30)
    finally:
        admin.clear_faults()
    # 渝北区: accepted, at 初审 with a failing check
    reviewing = _submit("applicant_vehicle", "vehicle_over_limit")["application_no"]
    complete(person("street_yb"), reviewing, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
    settle(30)
    return {"leased": leased, "lease_no": lease_no, "round": first["round_no"], "pending_round": pending["round_no"],
            "published": published, "over_income": rejected, "warned_lease": warned,
            "manual_check": checking, "preliminary_review": reviewing}


def _supervision_warning(number: str) -> str:
    """An active lease of ``number``'s household, checked 40 days ago; this month's check warns on income."""
    start = date.today() - timedelta(days=90)
    lease_no = "LGZF2026-SCAN01"
    with db.transaction() as session:
        case = session.scalar(select(Application).where(Application.application_no == number))
        lease = Lease(lease_no=lease_no, application_id=case.id, application_no=number, housing_type="gongzufang",
                      unit_code="JB-GZF-0304", unit_address="江北区建新北路88号3-4", unit_area=50.0,
                      monthly_rent=600.0, deposit=1200.0, starts_on=start, ends_on=start + timedelta(days=1095),
                      schedule=[], status="active")
        session.add(lease)
        session.flush()
        session.add(SupervisionCheck(lease_id=lease.id, lease_no=lease_no, district="江北区",
                                     period=(date.today() - timedelta(days=40)).isoformat(), status="clear",
                                     facts={"per_capita_income": 3900.0, "local_hukou": True, "hukou_found": []},
                                     usage={}, warnings=[], notice={}, decision_reason="",
                                     started_at=utcnow() - timedelta(days=40)))
    schedule.start_batch(batch_size=10)
    settle(30)
    return lease_no
