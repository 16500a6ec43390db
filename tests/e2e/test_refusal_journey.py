"""A 公租房 case that goes wrong the ways real ones do, clicked through the pages in Chinese.

The street clerk sends the application back for 补正; the applicant answers it without touching the
household (no corrections) and the case goes on. 公安户籍 is down when the case is verified, so
the check lands with a district clerk, who records the facts the source would have given — the
applicant's hukou is in 成都市 — and the rules read them as the source's own: the verdict is
ineligible. Nothing closes the case by itself: 初审 shows the suggested opinion 建议不予通过 with the
failing rule, and the clerk decides. The applicant then reads why, by which rule, and where to
appeal (行政复议 within 60 days, 行政诉讼 within 6 months), on the page and among the messages.
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from app.cli import deploy_directory
from app.db import db
from app.models.human_task import HumanTask
from connectors.sandbox.client import SandboxAdmin
from tests.conftest import ROOT
from tests.e2e.conftest import LiveServer, make_live_app
from tests.e2e.test_lifecycle import PDF, _apply, _open, _portal_row, _waiting_on

pytestmark = pytest.mark.e2e
ELSEWHERE = "四川省成都市武侯区"


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


@pytest.fixture
def server(live_db):
    from connectors.sandbox.server import start_in_thread

    sandbox_url, stop_sandbox = start_in_thread(port=0)
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"), processes_dir=str(ROOT / "processes"),
                        sandbox_url=sandbox_url,  # a failed 公安户籍 call is not retried later: it is down
                        extra={"HOUSING_CONNECTOR_HUKOU_JOB_ATTEMPTS": "1"})
    with app.app_context():
        deploy_directory(ROOT / "processes")
    try:
        with LiveServer(app) as running:
            running.sandbox = SandboxAdmin(sandbox_url)
            yield running
    finally:
        stop_sandbox()


def _task_ready(app, number: str, bpmn_id: str, timeout: float = 60) -> None:
    """Wait until ``bpmn_id`` is open (the checks run as jobs; here they run as the step ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context(), db.session() as session:
            if session.scalar(select(HumanTask.id).where(HumanTask.bpmn_id == bpmn_id,
                                                         HumanTask.status.in_(("ready", "claimed")))):
                return
        time.sleep(0.5)
    pytest.fail(f"no {bpmn_id} for {number}: {_waiting_on(app, number)}")


def test_a_supplement_a_manual_check_and_a_refusal_a_person_decided(server, actors, tmp_path):
    as_ = actors(server.url)
    applicant = as_("applicant")
    number = _apply(applicant, tmp_path)

    street = as_("street_yz")  # the documents are incomplete: one request lists everything missing
    page = _open(street, number, "受理审查")
    page.check("input[name=missing_items][value=hukou_book]")
    page.check("input[name=missing_items][value=housing_statement]")
    page.fill("textarea[name=supplement_note]", "户口簿须含全部成员页")
    page.fill("textarea[name=opinion]", "材料不全，一次性告知补正")
    street.shot("supplement-request")
    page.click("[data-testid=decision-supplement]")
    assert "已办理" in page.inner_text(".flash"), page.inner_text("main")[:800]

    page = _portal_row(applicant, number, "待补正")
    page.locator("[data-testid=next-step]").get_by_role("link", name="补正").click()
    notice = page.get_by_test_id("supplement-notice").inner_text()
    assert "户口簿" in notice and "住房情况声明" in notice and "户口簿须含全部成员页" in notice
    assert "hukou_book" not in page.inner_text("body")
    last_day = re.search(r"请于 (\d{4}-\d{2}-\d{2}) 24:00 前提交", notice)  # the day the SMS names, to its end
    assert last_day, notice
    applicant.shot("supplement-page")
    page.select_option("select[name=doc_kind_0]", "hukou_book")
    page.set_input_files("[data-testid=doc-file-0]", _pdf("户口簿.pdf"))
    page.select_option("select[name=doc_kind_1]", "housing_statement")
    page.set_input_files("[data-testid=doc-file-1]", _pdf("住房情况声明.pdf"))
    page.get_by_test_id("submit-supplement").click()  # the household is right: no correction rows at all
    assert "补正材料已提交" in page.inner_text(".flash-ok")
    applicant.shot("supplement-submitted")

    server.sandbox.inject("hukou", "5xx", times=None)  # 公安户籍 is down while the case is verified
    try:
        page = _open(street, number, "受理审查")
        assert "户口簿.pdf" in page.inner_text("main") and "住房情况声明.pdf" in page.inner_text("main")
        page.fill("textarea[name=opinion]", "补正材料齐全，予以受理")
        page.click("[data-testid=decision-accept]")
        assert "已办理" in page.inner_text(".flash")
        _task_ready(server.app, number, "manual_check")
    finally:
        server.sandbox.clear_faults("hukou")

    district = as_("district_yz")
    page = _open(district, number, "人工核查数据源")
    instructions = page.inner_text("main")
    assert "公安户籍经多次重试仍未返回结果" in instructions and "SourceUnavailable" not in instructions
    # one row per household member, named already: the clerk fills in what the 户政科 answered
    assert page.input_value("input[name='manual_finding.members.0.name']") == "陈晓东"
    assert page.is_checked("input[name='manual_finding.members.0.found']")
    assert "3,800" in page.inner_text("[data-testid=applicant]")
    # the clerk asks the 户政科 and writes down what 公安户籍 would have answered
    page.check("input[name='manual_finding.verdict'][value=fail]")
    page.fill("textarea[name='manual_finding.summary']", f"经函询区公安分局户政科，申请人户籍在{ELSEWHERE}，未迁入本市")
    page.fill("input[name='manual_finding.reference']", "渝中公户函〔2026〕118号")
    page.uncheck("input[name='manual_finding.members.0.local_hukou']")
    page.fill("input[name='manual_finding.members.0.hukou_province']", "四川省")
    page.fill("input[name='manual_finding.members.0.hukou_city']", "成都市")
    page.fill("input[name='manual_finding.members.0.hukou_district']", "武侯区")
    page.fill("input[name='manual_finding.members.0.hukou_years']", "0")
    page.check("input[name='manual_finding.members.0.name_matched']")
    district.shot("manual-check")
    page.click("[data-testid=submit]")
    assert "已办理" in page.inner_text(".flash"), page.inner_text("main")[-1500:]

    _task_ready(server.app, number, "preliminary_review")
    page = _open(street, number, "初审")
    suggestion = page.input_value("textarea[name=opinion]")  # a suggestion; the clerk decides
    assert "建议不予通过" in suggestion and "不满足本市户籍或居住证年限要求" in suggestion, suggestion
    verification = page.inner_text("[data-testid=verification]")
    assert ELSEWHERE in verification
    street.shot("preliminary-review-suggests-refusal")
    stage = _portal_row(applicant, number, "审核中").inner_text("main")  # nothing decided without the clerk
    assert "未通过" not in stage and "行政复议" not in applicant.goto("/portal/messages").inner_text("main")
    page.fill("textarea[name=opinion]", "经人工核查，申请人户籍不在本市且无居住证，不符合申请条件")
    page.select_option("select[name=reason_code]", "residence_requirement")
    page.fill("textarea[name=reason_text]", f"经向区公安分局户政科函询，您的户籍在{ELSEWHERE}，且未办理本市居住证")
    page.click("[data-testid=decision-reject]")
    assert "已办理" in page.inner_text(".flash"), page.inner_text("main")[-1500:]

    page = _portal_row(applicant, number, "未通过")
    page = applicant.goto(f"/portal/applications/{number}")
    body = page.inner_text("main")
    assert "不予通过决定" in body and f"户籍在{ELSEWHERE}" in body
    assert "不满足本市户籍或居住证年限要求" in body  # the rule, in words
    assert "60日内向重庆市渝中区人民政府申请行政复议" in body
    assert "6个月内向重庆市渝中区人民法院提起行政诉讼" in body
    assert "street_yz" not in body and "residence_requirement" not in body
    assert page.get_by_role("link", name="下载不予通过决定书（PDF）").get_attribute("href").endswith("/decision.pdf")
    applicant.shot("refusal")
    page = applicant.goto("/portal/messages")
    messages = page.inner_text("[data-testid=messages]")
    assert "未通过" in messages and "行政复议" in messages
    assert f"需要补正材料（第 1 次），请于 {last_day[1]} 前" in messages
    applicant.shot("messages")
    for actor in (applicant, street, district):
        assert actor.console_errors == []
