"""A 公租房 case from application to lease and exit, clicked through the pages as each role, in Chinese.

Application with a document → verification against the connector sandbox over HTTP → 受理 →
初审 → 复审 → the three departments' countersign → 公示 with a public objection → the
investigator dismisses it → the publication period ends → waiting list → the officer adds a unit
to the 房源库 → a 选房 round over the stock's matching units → the applicant accepts the offer
and signs the lease (the unit is let) → move-in → the tenant applies to leave.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.cli import deploy_directory, migrate_database
from connectors.sandbox.client import SandboxAdmin
from tests.conftest import ROOT
from tests.e2e.conftest import LiveServer, make_live_app, object_to
from tests.support.signing import last_code

#: the sandbox's eligible single applicant in 渝中区 (connectors/sandbox/fixtures/households.json)
APPLICANT = {"name": "陈晓东", "id_number": "500103199405120136", "phone": "13983001001",
             "address": "重庆市渝中区解放碑街道民族路88号3-2", "income": "3800", "employer": "重庆捷程物流有限公司"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(params=["postgresql", "sqlite"])
def lifecycle_db(request, tmp_path):
    """The case runs on PostgreSQL and on the embedded default's SQLite."""
    if request.param == "postgresql":
        yield request.getfixturevalue("live_db")
        return
    url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    migrate_database(url)
    yield url


@pytest.fixture
def lifecycle_server(lifecycle_db):
    from connectors.sandbox.server import start_in_thread

    sandbox_url, stop_sandbox = start_in_thread(port=0)
    app = make_live_app(lifecycle_db, forms_dir=str(ROOT / "forms"), processes_dir=str(ROOT / "processes"),
                        sandbox_url=sandbox_url)
    with app.app_context():
        deploy_directory(ROOT / "processes")
    try:
        with LiveServer(app) as server:
            server.sandbox = SandboxAdmin(sandbox_url)  # the phone: signing codes are read from its SMS log
            yield server
    finally:
        stop_sandbox()


def _apply(applicant, tmp_path: Path) -> str:
    page = applicant.goto("/portal")
    page.click("[data-testid=apply]")
    page.check("input[name=housing_type][value=gongzufang]")
    page.select_option("select[name=district]", "渝中区")
    page.fill("input[name='applicant.name']", APPLICANT["name"])
    page.fill("input[name='applicant.id_number']", APPLICANT["id_number"])
    page.fill("input[name='applicant.phone']", APPLICANT["phone"])
    page.fill("input[name='applicant.address']", APPLICANT["address"])
    page.check("input[name='household.type'][value=single]")
    page.fill("input[name='household.members.0.name']", APPLICANT["name"])
    page.fill("input[name='household.members.0.id_number']", APPLICANT["id_number"])
    page.select_option("select[name='household.members.0.relation']", "applicant")
    page.fill("input[name='household.members.0.monthly_income']", APPLICANT["income"])
    page.fill("input[name='household.members.0.employer']", APPLICANT["employer"])
    page.check("input[name=authorization]")
    document = tmp_path / "身份证.pdf"
    document.write_bytes(PDF)
    page.set_input_files("[data-testid=doc-file-0]", str(document))
    applicant.shot("application-form")
    page.click("[data-testid=submit-application]")
    number = page.inner_text("[data-testid=application-no]")
    applicant.shot("submitted")
    return number


def _waiting_on(app, number: str) -> dict:
    """What the case's instances wait on: their jobs, incidents and open tasks."""
    from sqlalchemy import select

    from app.db import db
    from app.models.case import Application
    from app.models.human_task import HumanTask
    from app.models.incident import Incident
    from app.models.job import Job

    with app.app_context(), db.session() as session:
        application = session.scalar(select(Application).where(Application.application_no == number))
        return {
            "jobs": [(j.bpmn_id, j.operator, j.state, j.last_error) for j in session.scalars(select(Job))],
            "incidents": [(i.bpmn_id, i.kind, i.message) for i in session.scalars(select(Incident))],
            "tasks": [(t.bpmn_id, t.status) for t in session.scalars(select(HumanTask))],
            "case": application and {"status": application.status},
        }


def _open(reviewer, number: str, step: str):
    """Search the inbox for the case and open the step's task: the inbox lands on the reviewer's own
    tasks when the case is already theirs (a clerk keeps a case through steps of one role), else
    on the pool."""
    page = reviewer.goto(f"/inbox?application_no={number}")
    page.locator("tr", has_text=number).get_by_role("link", name=step).click()
    page.wait_for_selector("[data-testid=task-form]")
    return page


def _act(reviewer, number: str, step: str, decision: str | None, opinion: str, name: str) -> None:
    """Open the step's task, check the suggested opinion is there, replace it and decide."""
    page = _open(reviewer, number, step)
    if page.locator("textarea[name=opinion]").count():
        page.fill("textarea[name=opinion]", opinion)
    reviewer.shot(name)
    if decision:
        page.click(f"[data-testid=decision-{decision}]")
    else:
        page.click("[data-testid=submit]")
    assert "已办理" in page.inner_text(".flash"), page.inner_text("main")[:500]


def _countersign(department, number: str) -> None:
    page = _open(department, number, "部门会签")
    assert "陈晓东" in page.inner_text("[data-testid=applicant]")
    page.check("input[name='signature.decision'][value=approve]")
    page.fill("textarea[name='signature.opinion']", "经核对，同意")
    department.shot("countersign")
    page.click("[data-testid=submit]")
    assert "已办理" in page.inner_text(".flash")


def _portal_row(applicant, number: str, stage: str):
    """The portal lists the case once, at ``stage``; returns the page."""
    page = applicant.goto("/portal")
    rows = page.locator("[data-testid=case-row]", has_text=number)
    assert rows.count() == 1, page.inner_text("[data-testid=my-cases]")
    assert rows.locator("[data-testid=case-stage]").inner_text() == stage
    return page


def test_a_case_from_application_to_lease_and_exit(lifecycle_server, actors, tmp_path):
    as_ = actors(lifecycle_server.url)
    applicant = as_("applicant")
    number = _apply(applicant, tmp_path)
    assert number.startswith("GZF")

    street = as_("street_yz")
    _act(street, number, "受理审查", "accept", "材料齐全，予以受理", "acceptance")
    page = street.goto(f"/inbox?application_no={number}")  # the 初审 stays with the clerk who accepted
    assert "active" in page.get_attribute("[data-testid=tab-mine]", "class")
    assert "放回任务池" in page.inner_text("[data-testid=inbox-table]")
    _act(street, number, "初审", "approve", "经入户调查，情况属实，同意上报", "preliminary-review")
    district = as_("district_yz")
    page = _open(district, number, "复审")
    verification = page.inner_text("[data-testid=verification]")
    assert "不动产登记" in verification and "500103********0136" in page.inner_text("[data-testid=applicant]")
    assert "500103199405120136" not in page.content()
    assert page.input_value("textarea[name=opinion]")  # the suggested opinion, editable
    page.wait_for_selector("#diagram[data-rendered='1']")
    assert "district_review" in page.get_attribute("#diagram", "data-current")
    district.shot("district-review-case")
    _act(district, number, "复审", "approve", "复审通过，提交会签", "district-review")

    for username in ("minzheng", "zhujian", "renshe"):
        _countersign(as_(username), number)

    visitor = as_()
    page = visitor.goto("/publicity")
    assert number in page.inner_text("main") and "陈*东" in page.inner_text("main")
    assert "500103199405120136" not in page.content() and "13983001001" not in page.content()
    object_to(page, number, "该申请人在江北区另有住房一套，请予核查。")
    assert "回执号" in page.inner_text(".flash")
    visitor.shot("objection")

    city = as_("city")
    page = _open(city, number, "异议核查")
    page.fill("[name=finding_text]", "经不动产登记核查，申请人名下无住房，异议不成立")
    city.shot("investigation")
    page.click("[data-testid=decision-dismissed]")
    assert "已办理" in page.inner_text(".flash")

    operator = as_("operator")
    page = operator.goto("/admin/timers")
    operator.shot("timers")
    page.click(f"[data-testid=fire-{number}]")
    assert "已触发" in page.inner_text(".flash")

    page = applicant.goto(f"/portal/applications/{number}")
    assert page.inner_text("[data-testid=case-status]") == "轮候中"
    assert page.inner_text("[data-testid=current-step]") == "轮候"
    timeline = page.inner_text("[data-testid=timeline]")
    assert "初审" in timeline and "复审" in timeline and "街道初审" in timeline
    assert "street_yz" not in timeline and "同意上报" not in timeline  # remarks between reviewers stay internal
    assert "已登记轮候" in page.inner_text("[data-testid=outcome]")
    _portal_row(applicant, number, "轮候中")
    assert page.locator("[data-testid=nav-count]").inner_text() == "1"  # the approval SMS, unread
    page = applicant.goto("/portal")
    page.get_by_role("link", name="消息").click()
    assert "已审核通过并登记轮候" in page.inner_text("[data-testid=messages]") and number in page.inner_text("main")
    assert page.locator("[data-testid=nav-count]").count() == 0  # read now
    applicant.shot("waiting-list")

    page = city.goto("/stock/units/new")  # the unit goes into the 房源库 first
    for name, value in (("code", "YZ-1-0301"), ("project", "渝中区公租房小区"), ("district", "渝中区"),
                        ("address", "渝中区公租房小区1栋3单元301"), ("building", "1栋"), ("room_no", "3-301"),
                        ("usable_area", "45"), ("floor", "3"), ("rent_rate", "520"), ("facilities", "地铁1号线")):
        page.fill(f"input[name={name}]", value)
    page.select_option("select[name=layout]", "一室一厅")
    page.select_option("select[name=rent_basis]", "fixed")
    page.click("[data-testid=save-unit]")
    assert "已登记房源 YZ-1-0301" in page.inner_text(".flash")
    assert page.inner_text("[data-testid=unit-status]") == "空置"

    page = city.goto("/allocation")
    assert number in page.inner_text("[data-testid=queue]")
    page.check("input[name=method][value=selection]")
    page.check("input[name=source][value=stock]")
    page.check("input[name=layouts][value=一室一厅]")
    page.fill("input[name=unit_count]", "1")
    city.shot("allocation-round")
    page.click("[data-testid=start-round]")
    assert "已发起配租" in page.inner_text(".flash")

    page = _portal_row(applicant, number, "待选房")
    page.locator("[data-testid=next-step]").get_by_role("link", name="选房确认").click()
    assert "渝中区公租房小区1栋3单元301" in page.inner_text("main")
    assert "city" not in page.inner_text("[data-testid=history]")  # roles, never staff logins
    page.check("input[name='response.decision'][value=accept]")
    applicant.shot("offer")
    page.click("[data-testid=submit]")
    page = _portal_row(applicant, number, "待签约")
    page.locator("[data-testid=next-step]").get_by_role("link", name="电子签约").click()
    contract = page.inner_text("[data-testid=contract-text]")  # the whole contract is read on the page first
    assert "渝中区公租房小区1栋3单元301" in contract and "520.00" in contract, contract[:300]
    assert page.get_attribute("[data-testid=contract-link]", "href").endswith("/contract.pdf")
    page.click("[data-testid=send-code]")
    assert "验证码已发送" in page.inner_text(".flash")
    code = last_code(lifecycle_server.sandbox)
    page.check("input[name=agree]")
    page.fill("input[name=sms_code]", f"{(int(code) + 1) % 1_000_000:06d}")
    page.click("[data-testid=submit]")
    assert "短信验证码不正确" in page.inner_text("main")  # a wrong code is refused, readably
    page.check("input[name=agree]")
    page.fill("input[name=sms_code]", code)
    applicant.shot("lease-signing")
    page.click("[data-testid=submit]")
    # the applicant is told the lease is signed (sealing the contract may take a while on a busy machine)
    expect(page.locator(".flash")).to_contain_text("已办理", timeout=120_000)

    page = applicant.goto("/portal/messages")  # the signing code's SMS is listed, never its code
    assert "电子签约验证码已发送" in page.inner_text("[data-testid=messages]") and code not in page.content()

    for _ in range(60):  # sealing the signed contract runs as a job: the clerk refreshes until it is done
        page = city.goto(f"/inbox?application_no={number}")  # the lease's task (key L…) is found by the case's number
        if page.get_by_role("link", name="入住确认").count():
            break
        time.sleep(1)
    else:
        pytest.fail(f"no 入住确认 task after signing: {_waiting_on(lifecycle_server.app, number)}")
    assert "active" in page.get_attribute("[data-testid=tab-groups]", "class")  # nothing claimed: the pool opens
    page.get_by_role("link", name="入住确认").first.click()
    page.fill("input[name=moved_in_on]", "2026-12-01")
    page.check("input[name=keys_handed]")
    page.click("[data-testid=submit]")
    assert "已办理" in page.inner_text(".flash")

    page = city.goto("/stock/units/YZ-1-0301")  # the signed lease let the unit
    assert page.inner_text("[data-testid=unit-status]") == "已出租"
    assert "签订租赁合同" in page.inner_text("[data-testid=history]")

    page = _portal_row(applicant, number, "已入住")
    leases = page.inner_text("[data-testid=my-leases]")
    assert "渝中区公租房小区1栋3单元301" in leases and "520" in leases
    applicant.shot("lease")
    page = applicant.goto(f"/contracts/verify?lease_no=L{number}")  # public: the signed contract is intact
    assert "合同完好" in page.inner_text("[data-testid=verify-result]")
    page = applicant.goto("/portal")
    page.click("[data-testid=my-leases] a:has-text('申请退租')")
    page.fill("textarea[name=reason_text], input[name=reason_text]", "工作调动至外地，自愿退出")
    page.click("[data-testid=submit-exit]")
    assert "退租申请已提交" in page.inner_text(".flash")
    applicant.shot("exit-applied")
    for actor in (applicant, street, district, city, operator):
        assert actor.console_errors == []
