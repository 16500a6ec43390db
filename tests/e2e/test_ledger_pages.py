"""The tenant reads their rent bills in the portal; the officer finds the lease in arrears and
records a payment. Read as they would: amounts in 元, statuses and arrears in Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.ledger import bills, service
from tests.conftest import close
from tests.e2e.conftest import ROOT, LiveServer, make_live_app
from tests.processes.ledger_support import OFFICER, make_lease

pytestmark = pytest.mark.e2e


@pytest.fixture
def ledger_server(live_db):
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"))
    with app.app_context():
        lease_no = make_lease(number="GZF2026-900777", months_ago=2, username="applicant")
        service.record_payment(OFFICER, lease_no, {"amount": "1000", "paid_on": bills.today().isoformat()})
        months = service.lease_ledger(OFFICER, lease_no)["arrears_months"]
    with LiveServer(app) as server:
        yield server, lease_no, months
    close(app)


def test_the_tenant_sees_bills_and_the_officer_sees_arrears_and_records_a_payment(ledger_server, actors):
    server, lease_no, months = ledger_server
    make = actors(server.url)

    tenant = make("applicant")
    page = tenant.goto("/portal")
    page.get_by_role("link", name="我的账单").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="我的租金账单")).to_be_visible()
    assert page.get_by_test_id(f"arrears-{lease_no}").inner_text() == \
        f"已欠缴租金 {months} 个月，共 {500 * months:.2f} 元。"
    bills_table = page.get_by_test_id(f"bills-{lease_no}")
    expect(bills_table.get_by_role("row").filter(has_text="押金").first.get_by_text("已缴清")).to_be_visible()
    assert bills_table.get_by_text("逾期未缴").count() == months
    expect(page.get_by_test_id(f"payments-{lease_no}").get_by_text("窗口缴纳")).to_be_visible()
    tenant.shot("bills")

    officer = make("city")
    page = officer.goto("/ledger")
    expect(page.get_by_role("heading", name="租金台账")).to_be_visible()
    row = page.get_by_test_id("ledgers").get_by_role("row").filter(has_text=lease_no)
    expect(row.get_by_text(f"欠缴 {months} 个月")).to_be_visible()
    row.get_by_role("link", name=lease_no).click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text() == f"已欠缴租金 {months} 个月，共 {500 * months:.2f} 元。"
    page.fill("#f-amount", "abc")
    page.fill("#f-paid_on", bills.today().isoformat())
    page.get_by_role("button", name="登记缴费").click()
    page.wait_for_load_state()
    expect(page.get_by_text("请填写大于0、最多两位小数的金额（元）")).to_be_visible()
    page.fill("#f-amount", "500")
    page.fill("#f-paid_on", bills.today().isoformat())
    page.get_by_role("button", name="登记缴费").click()
    page.wait_for_load_state()
    expect(page.get_by_text("已登记缴费 500 元")).to_be_visible()
    left = months - 1
    expected = f"已欠缴租金 {left} 个月，共 {500 * left:.2f} 元。" if left else "没有逾期未缴的租金。"
    assert page.get_by_test_id(f"arrears-{lease_no}").inner_text() == expected
    officer.shot("ledger")
