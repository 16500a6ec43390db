"""The rent ledger on PostgreSQL: bills from the schedule, payments entered and imported,
arrears in months, SMS reminders, the arrears exit for an officer to decide, the deposit at exit."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from app.db import db
from app.ledger import bills, imports, service, sweeps
from app.ledger.models import LedgerBill, LedgerPayment
from app.models import Lease, ProcessInstance, TenancyExit
from app.services import tenancy_service
from tests.processes.conftest import complete, ready_task, staff
from tests.processes.ledger_support import OFFICER, TENANT, make_lease


def _owing(lease_no: str) -> bills.Arrears:
    with db.session() as session:
        lease = session.scalar(select(Lease).where(Lease.lease_no == lease_no))
        return bills.arrears(session, lease.id)


def test_bills_come_from_the_schedule_and_unpaid_months_are_arrears(flow_app):
    lease_no = make_lease(months_ago=5)
    ledger = service.lease_ledger(TENANT, lease_no)
    with db.session() as session:
        schedule = session.scalar(select(Lease).where(Lease.lease_no == lease_no)).schedule
    assert len(ledger["bills"]) == len(schedule) and ledger["bills"][0]["kind"] == "deposit"
    assert ledger["bills"][0]["amount"] == 1000.0 and ledger["bills"][1]["amount"] == 500.0
    past_due = [b for b in schedule if b["kind"] == "rent" and date.fromisoformat(b["due_on"]) < bills.today()]
    assert ledger["arrears_months"] == len(past_due) >= 4
    assert ledger["arrears_amount"] == 500.0 * len(past_due)
    assert service.lease_ledger(TENANT, lease_no)["bills"] == ledger["bills"]  # generated once

    # the deposit and two months paid at the counter: the oldest bills first
    after = service.record_payment(OFFICER, lease_no, {"amount": "2000", "paid_on": bills.today().isoformat()})
    assert after["arrears_months"] == len(past_due) - 2
    assert [b["status"] for b in after["bills"][:4]] == ["paid", "paid", "paid", "unpaid"]
    assert after["bills"][3]["status_name"] == "逾期未缴"


def test_payment_import_keeps_good_rows_explains_bad_rows_and_books_a_reference_once(flow_app):
    lease_no = make_lease()
    today = bills.today().isoformat()
    csv_text = ("交易流水号,合同编号,金额,到账日期,备注\n"
                f"BANK-001,{lease_no},1000.00,{today},押金\n"
                f"BANK-002,{lease_no},500,{today.replace('-', '')},一月租金\n"
                f"BANK-003,{lease_no},-5,{today},\n"
                f"BANK-004,L-NOPE,500,{today},\n"
                f"BANK-005,{lease_no},500,2026-13-40,\n"
                f"BANK-001,{lease_no},1000.00,{today},重复\n")
    report = imports.import_payments(OFFICER, csv_text.encode("gbk"))
    assert [r["reference"] for r in report["imported"]] == ["BANK-001", "BANK-002"]
    assert {r["line"]: r["message"] for r in report["errors"]} == {
        4: "金额“-5”无效，应为大于0、最多两位小数的数字",
        5: "合同编号“L-NOPE”不存在",
        6: "到账日期“2026-13-40”无效，应为 2026-12-05 格式"}
    assert [r["line"] for r in report["duplicates"]] == [7]

    again = imports.import_payments(OFFICER, csv_text.encode("utf-8-sig"))
    assert again["imported"] == [] and len(again["duplicates"]) == 3
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(LedgerPayment)) == 2
    assert service.lease_ledger(OFFICER, lease_no)["deposit_held"] == 1000.0


def test_a_file_without_the_columns_is_refused_in_chinese(flow_app):
    import pytest

    from app.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        imports.import_payments(OFFICER, "流水,金额\nX,1\n".encode())
    assert refused.value.detail == "表头缺少：交易流水号、合同编号、到账日期"


def test_an_overdue_tenant_is_reminded_once_within_the_interval(flow_app, sandbox):
    lease_no = make_lease(phone="13900139001", months_ago=1)
    _url, admin = sandbox
    before = len(admin.requests("sms"))
    first, second = sweeps.run(), sweeps.run()  # as the scheduler runs it, twice
    assert first["bills"] == 1 and len(first["reminded"]) == 1 and first["exits"] == []
    assert second["reminded"] == []
    sent = [r["body"] for r in admin.requests("sms")[before:]
            if isinstance(r.get("body"), dict) and r["body"].get("TemplateCode") == sweeps.SMS_TEMPLATE]
    assert len(sent) == 1 and sent[0]["PhoneNumbers"] == "13900139001"
    assert json.loads(sent[0]["TemplateParam"])["lease_no"] == lease_no
    with db.session() as session:
        reminded = session.scalars(select(LedgerBill.reminders).where(LedgerBill.kind == "rent",
                                                                      LedgerBill.due_on < bills.today())).all()
    assert reminded and set(reminded) == {1}


def test_three_unpaid_months_start_an_arrears_exit_that_an_officer_decides(flow_app, sandbox):
    lease_no = make_lease(months_ago=5)
    service.record_payment(OFFICER, lease_no, {"amount": "1000", "paid_on": bills.today().isoformat()})
    months = _owing(lease_no).months
    assert months >= 3
    [key] = sweeps.start_arrears_exits()
    assert sweeps.start_arrears_exits() == []  # one exit per arrears episode
    with db.session() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.business_key == key))
        assert session.scalar(select(func.count()).select_from(TenancyExit)) == 0  # nobody is evicted by the sweep
    assert instance.process_key == "exit" and instance.status == "running"
    task = ready_task(key, "decide_exit")
    assert task is not None and f"累计欠缴租金{months}个月" in task.instructions

    officer = staff("city", "allocation_officer", None, "city_reviewer")
    complete(officer, key, "decide_exit", {"decision": "confirm", "opinion": "多次催缴未缴，核实属实"})
    with db.session() as session:
        row = session.scalar(select(TenancyExit))
    assert row.ground == "arrears" and row.kind == "forced" and row.status == "moving"

    complete(officer, key, "return_unit", {"returned_on": bills.today().isoformat(), "keys_returned": True,
                                           "damages": [], "arrears_amount": 1})
    ledger = service.lease_ledger(OFFICER, lease_no)
    offset = [p for p in ledger["payments"] if p["method"] == "deposit_offset"]
    assert offset and offset[0]["amount"] == 1000.0  # the whole deposit went to the rent owed
    with db.session() as session:
        settled = session.scalar(select(TenancyExit))
    assert settled.status == "settled" and settled.deposit_refund == 0.0
    assert settled.deductions == [{"item": "欠缴租金", "amount": 500.0 * months}]


def test_a_withdrawn_arrears_exit_is_not_raised_again_for_the_same_arrears(flow_app):
    lease_no = make_lease(months_ago=5)
    assert sweeps.sync_all() == 1
    [key] = sweeps.start_arrears_exits()
    complete(staff("city", "allocation_officer", None, "city_reviewer"), key, "decide_exit",
             {"decision": "withdraw", "opinion": "承租人已承诺本月补缴"})
    with db.session() as session:
        assert session.scalar(select(ProcessInstance.status).where(ProcessInstance.business_key == key)) == "completed"
        assert session.scalar(select(func.count()).select_from(TenancyExit)) == 0
    assert sweeps.start_arrears_exits() == []
    assert _owing(lease_no).months >= 3


def test_the_exit_form_reads_arrears_from_the_ledger_not_the_number_typed(flow_app):
    lease_no = make_lease(months_ago=1)
    service.record_payment(OFFICER, lease_no, {"amount": "100000", "paid_on": bills.today().isoformat()})
    started = tenancy_service.apply_exit(staff("city", "allocation_officer", None, "city_reviewer"), {
        "lease_no": lease_no, "kind": "forced", "ground": "arrears", "arrears_months": 9,
        "reason_text": "欠租九个月"})
    with db.session() as session:
        instance = session.get(ProcessInstance, started["instance_id"])
        assert session.scalar(select(func.count()).select_from(TenancyExit)) == 0
    assert instance.status == "completed"  # the ledger shows nothing owed: no ground, whatever was typed


def test_each_lease_anniversary_starts_one_review_of_its_own(flow_app, monkeypatch):
    from datetime import UTC, datetime, timedelta

    from app.engine import workdays
    from app.engine.operators import OperatorContext
    from app.models import AnnualReview
    from handlers import tenancy

    lease_no = make_lease(months_ago=12)  # three-year lease: its first anniversary is days away
    with db.session() as session:
        lease = session.scalar(select(Lease).where(Lease.lease_no == lease_no))
        first, ends_on = lease.starts_on.replace(year=lease.starts_on.year + 1), lease.ends_on
    assert first - bills.today() <= timedelta(days=30) and ends_on - bills.today() > timedelta(days=600)
    ctx = OperatorContext(idempotency_key="review-schedule")
    [started] = tenancy.start_due({"days_before": 30}, ctx)["started"]
    assert started["business_key"] == f"{lease_no}-{first.year}"
    assert tenancy.start_due({"days_before": 30}, ctx)["started"] == []  # the daily schedule again: nothing new

    a_year_later = datetime.now(UTC) + timedelta(days=366)
    monkeypatch.setattr(workdays, "now_utc", lambda: a_year_later)
    [second] = tenancy.start_due({"days_before": 30}, ctx)["started"]
    assert second["business_key"] == f"{lease_no}-{first.year + 1}"
    with db.session() as session:
        years = session.scalars(select(AnnualReview.year).order_by(AnnualReview.year)).all()
        keys = set(session.scalars(select(ProcessInstance.business_key)
                                   .where(ProcessInstance.process_key == "annual_review")))
    assert years == [first.year, first.year + 1]
    assert keys == {f"{lease_no}-{first.year}", f"{lease_no}-{first.year + 1}"}  # separate instances
