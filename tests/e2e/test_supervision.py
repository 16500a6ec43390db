"""The supervision officers read their district's warnings in Chinese and decide them in the browser.

A supervision run over the sandbox finds 赵鹏's household over the income line and 陈晓东's flat
without water, electricity or gas for four months. The 江北区 officer reads the rule and its
evidence, and starts the exit; the 渝中区 officer dismisses the vacancy warning with a reason, and
the page then shows it as dismissed with that reason.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.db import db
from app.models import Application, Lease, TenancyExit
from app.services import case_service, definition_service
from app.supervision import schedule
from app.supervision.models import SupervisionCheck
from connectors.testing import FAST_SETTINGS, running_sandbox
from tests.conftest import close
from tests.e2e.conftest import ROOT, LiveServer, make_live_app
from tests.processes.conftest import applicant, household

pytestmark = pytest.mark.e2e
LEASES = {"over_income": ("LGZF2026-E00001", "JB-GZF-0304", "江北区建新北路88号3-4"),
          "eligible_single": ("LGZF2026-E00002", "YZ-GZF-0502", "渝中区大坪正街1号5-2")}


@pytest.fixture
def supervision_server(live_db):
    with running_sandbox(latency_seconds=0.0) as (url, _admin):
        app = make_live_app(live_db, forms_dir=str(ROOT / "forms"), sandbox_url=url, extra=FAST_SETTINGS)
        with app.app_context():
            files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "processes").glob("*.bpmn"))
                     + sorted((ROOT / "processes").glob("*.dmn"))]
            definition_service.deploy(files, "test")
            for key, (lease_no, code, address) in LEASES.items():
                number = case_service.submit_application(applicant(key), household(key)["form"])["application_no"]
                start = date.today() - timedelta(days=90)
                with db.transaction() as session:
                    case = session.scalar(select(Application).where(Application.application_no == number))
                    session.add(Lease(lease_no=lease_no, application_id=case.id, application_no=number,
                                      housing_type="gongzufang", unit_code=code, unit_address=address,
                                      unit_area=50.0, monthly_rent=600.0, deposit=1200.0, starts_on=start,
                                      ends_on=start + timedelta(days=1095), schedule=[], status="active"))
            assert len(schedule.start_batch(batch_size=10)) == 2
        with LiveServer(app) as server:
            yield server, app
        close(app)


def test_officers_read_the_warnings_and_start_an_exit_or_dismiss(supervision_server, actors):
    server, app = supervision_server
    make = actors(server.url)

    jb = make("jianguan_jb")
    page = jb.goto("/inbox")
    page.get_by_role("link", name="动态监管").click()
    expect(page.get_by_role("heading", name="动态监管预警")).to_be_visible()
    row = page.get_by_test_id("warning-LGZF2026-E00001")
    assert "家庭人均月收入超过保障标准" in row.inner_text() and "高风险" in row.inner_text()
    assert "依据：家庭人均月收入5833" in row.inner_text() and "保障标准4148" in row.inner_text()
    assert page.get_by_test_id("warning-LGZF2026-E00002").count() == 0  # another district's
    jb.shot("warnings")
    page.get_by_test_id("handle-LGZF2026-E00001").click()
    page.wait_for_load_state()
    expect(page.get_by_text("动态监管发现风险")).to_be_visible()
    page.click("[data-testid=claim]")
    page.wait_for_load_state()
    buttons = page.locator("[data-testid=task-form] button").all_inner_texts()
    assert {"解除预警", "下达整改通知", "启动退出"} <= set(buttons)
    page.fill("textarea[name=reason]", "税务与公积金核实家庭收入已超过保障标准")
    assert page.locator("select[name=exit_ground]").input_value() == "ineligible"  # the ground, prefilled
    jb.shot("decide-exit")
    page.click("[data-testid=decision-exit]")
    page.wait_for_load_state()

    yz = make("jianguan_yz")
    page = yz.goto("/supervision")
    row = page.get_by_test_id("warning-LGZF2026-E00002")
    assert "房屋连续多月水电气用量近零，疑似闲置" in row.inner_text()
    assert "最近连续4个月用量近零" in row.inner_text()
    page.get_by_test_id("handle-LGZF2026-E00002").click()
    page.wait_for_load_state()
    page.click("[data-testid=claim]")
    page.wait_for_load_state()
    page.click("[data-testid=decision-dismiss]")  # no reason yet: the server says what is missing
    page.wait_for_load_state()
    assert page.locator(".error").count() >= 1
    page.fill("textarea[name=reason]", "承租人住院治疗四个月，有医院证明，已返回居住")
    page.click("[data-testid=decision-dismiss]")
    page.wait_for_load_state()
    page = yz.goto("/supervision?all=1")
    row = page.get_by_test_id("warning-LGZF2026-E00002")
    assert "已解除" in row.inner_text() and "处置理由：承租人住院治疗四个月" in row.inner_text()
    yz.shot("dismissed")

    with app.app_context(), db.session() as session:
        statuses = {c.lease_no: (c.status, c.decided_by) for c in session.scalars(select(SupervisionCheck))}
        exit_row = session.scalar(select(TenancyExit))
    assert statuses == {"LGZF2026-E00001": ("exit", "jianguan_jb"), "LGZF2026-E00002": ("dismissed", "jianguan_yz")}
    assert exit_row.ground == "ineligible"
    assert not jb.console_errors and not yz.console_errors
