"""Dynamic supervision on PostgreSQL through the sandbox over HTTP: a batch of checks, two warnings
with evidence, an exit started and a warning dismissed with a reason."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.db import db, utcnow
from app.models import Application, HumanTask, Lease, TenancyExit
from app.services import instance_service
from app.services.errors import Forbidden
from app.supervision import schedule, service
from app.supervision.models import SupervisionCheck
from tests.processes.conftest import complete, ready_task, staff, submit

OFFICER_JB = staff("jianguan_jb", "supervision_officer", "江北区")
OFFICER_YZ = staff("jianguan_yz", "supervision_officer", "渝中区")
UNITS = {"over_income": ("JB-GZF-0304", "江北区建新北路88号3-4"),
         "eligible_single": ("YZ-GZF-0502", "渝中区大坪正街1号5-2"),
         "eligible_nuclear": ("SPB-GZF-1102", "沙坪坝区天星桥21号11-2")}


def lease_for(key: str, lease_no: str, months_ago: int = 3) -> Lease:
    """An active lease of the household ``key`` (its application verified through the sandbox)."""
    number = submit(key)["application_no"]
    code, address = UNITS[key]
    start = date.today() - timedelta(days=30 * months_ago)
    with db.transaction() as session:
        case = session.scalar(select(Application).where(Application.application_no == number))
        lease = Lease(lease_no=lease_no, application_id=case.id, application_no=number, housing_type="gongzufang",
                      unit_code=code, unit_address=address, unit_area=50.0, monthly_rent=600.0, deposit=1200.0,
                      starts_on=start, ends_on=start + timedelta(days=1095), schedule=[], status="active")
        session.add(lease)
        session.flush()
        session.expunge(lease)
    return lease


def last_check(lease: Lease, facts: dict) -> None:
    """The facts found at the previous check, 40 days ago."""
    with db.transaction() as session:
        session.add(SupervisionCheck(lease_id=lease.id, lease_no=lease.lease_no, district="江北区",
                                     period=(date.today() - timedelta(days=40)).isoformat(), status="clear",
                                     facts=facts, usage={}, warnings=[], notice={}, decision_reason="",
                                     started_at=utcnow() - timedelta(days=40)))


def test_a_run_warns_about_income_and_vacancy_and_the_officers_decide(flow_app, sandbox):
    admin = sandbox[1]
    over = lease_for("over_income", "LGZF2026-S00001")
    vacant = lease_for("eligible_single", "LGZF2026-S00002")
    fresh = lease_for("eligible_nuclear", "LGZF2026-S00003", months_ago=0)  # moved in this month: not due yet
    last_check(over, {"per_capita_income": 3900.0, "local_hukou": True, "hukou_found": []})
    admin.clear_requests()

    started = schedule.start_batch(batch_size=10)
    assert len(started) == 2
    assert [r["path"] for r in admin.requests("utilities")] == [
        "/shuidianqi/api/v1/yhyl/query"] * 2
    assert schedule.start_batch(batch_size=10) == []  # checked this cadence already; the new lease is not due

    with db.session() as session:
        checks = {c.lease_no: c for c in session.scalars(select(SupervisionCheck).where(
            SupervisionCheck.status != "clear"))}
    income = checks[over.lease_no]
    assert income.status == "warned" and [w["rule"] for w in income.warnings] == ["income"]
    warning = income.warnings[0]
    assert warning["reason"] == "家庭人均月收入超过保障标准"
    assert "5833" in warning["evidence"] and "上次核查3900.0元" in warning["evidence"] and "4148" in warning["evidence"]
    empty = checks[vacant.lease_no]
    assert [w["rule"] for w in empty.warnings] == ["vacancy"]
    assert "最近连续4个月用量近零" in empty.warnings[0]["evidence"]
    assert fresh.lease_no not in checks

    # each district's officer sees their own warnings only
    assert [r["lease_no"] for r in service.warnings_for(OFFICER_JB)] == [over.lease_no]
    assert [r["lease_no"] for r in service.warnings_for(OFFICER_YZ)] == [vacant.lease_no]
    try:
        service.warnings_for(staff("street", "street_reviewer", "江北区"))
        raise AssertionError("a street reviewer read the supervision warnings")
    except Forbidden:
        pass
    task = ready_task(f"{over.lease_no}-S{income.period}", "handle_warning", "supervision_officer")
    assert "家庭人均月收入超过保障标准" in task.instructions and task.district == "江北区"

    complete(OFFICER_JB, f"{over.lease_no}-S{income.period}", "handle_warning",
             {"decision": "exit", "reason": "核实家庭收入已超过保障标准", "exit_ground": "ineligible"})
    complete(OFFICER_YZ, f"{vacant.lease_no}-S{empty.period}", "handle_warning",
             {"decision": "dismiss", "reason": "承租人住院治疗四个月，有医院证明，已返回居住"})

    with db.session() as session:
        decided = {c.lease_no: c for c in session.scalars(select(SupervisionCheck).where(
            SupervisionCheck.decision.is_not(None)))}
        exit_row = session.scalar(select(TenancyExit))
        return_task = session.scalar(select(HumanTask).where(HumanTask.bpmn_id == "return_unit",
                                                             HumanTask.status == "ready"))
    assert (decided[over.lease_no].status, decided[over.lease_no].decided_by) == ("exit", "jianguan_jb")
    assert decided[vacant.lease_no].status == "dismissed"
    assert decided[vacant.lease_no].decision_reason == "承租人住院治疗四个月，有医院证明，已返回居住"
    assert exit_row.lease_id == over.id and (exit_row.kind, exit_row.ground) == ("forced", "ineligible")
    assert "动态监管" in exit_row.reason_text and return_task is not None
    assert [r["lease_no"] for r in service.warnings_for(OFFICER_YZ)] == []
    [closed] = service.warnings_for(OFFICER_YZ, include_closed=True)
    assert closed["status_name"] == "已解除"


def test_a_household_past_its_lease_end_is_reminded_then_escalated(flow_app, sandbox):
    admin = sandbox[1]
    lease = lease_for("over_income", "LGZF2026-S00009", months_ago=40)
    with db.transaction() as session:
        session.get(Lease, lease.id).ends_on = date.today() - timedelta(days=5)
    admin.clear_requests()

    [instance_id] = schedule.start_overdue()
    assert schedule.start_overdue() == []  # once a month
    [sms] = admin.requests("sms")
    assert "EXIT_OVERDUE_REMINDER" in str(sms)
    assert ready_task(f"{lease.lease_no}-overdue-{date.today().isoformat()[:7]}", "escalate") is None

    instance_service.fire_timers_now(instance_id, "test")  # the grace period ends
    task = ready_task(f"{lease.lease_no}-overdue-{date.today().isoformat()[:7]}", "escalate", "supervision_officer")
    assert task.district == "江北区" and "应退未退" in task.instructions and "届满且未续租" in task.instructions
