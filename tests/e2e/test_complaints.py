"""A citizen files a complaint on the public page; the district office opens it from its inbox.

Read as the people would: the visitor sees the receipt number and that the reply comes within
3 working days; the handler sees the complaint and its category, and that the complainant is
kept confidential — never the name or phone number.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.services import definition_service
from tests.conftest import close
from tests.e2e.conftest import ROOT, LiveServer, make_live_app

pytestmark = pytest.mark.e2e
CONTENT = "申请提交已经两个月，审核结果一直没有告知，电话也无人接听。"


@pytest.fixture
def complaint_server(live_db):
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"))
    with app.app_context():
        files = [(n, (ROOT / "processes" / n).read_bytes()) for n in ("complaint.bpmn", "complaint_routing.dmn")]
        definition_service.deploy(files, "test")
    with LiveServer(app) as server:
        yield server
    close(app)


def test_a_public_complaint_reaches_the_district_office_without_the_complainant(complaint_server, actors):
    make = actors(complaint_server.url)
    visitor = make()
    page = visitor.goto("/publicity")
    page.get_by_role("link", name="投诉反馈").click()
    expect(page.get_by_role("heading", name="投诉反馈")).to_be_visible()
    expect(page.get_by_text("承办部门将在3个工作日内答复")).to_be_visible()
    page.select_option("select[name=category]", "审核结果")
    page.fill("textarea[name=content]", CONTENT)
    page.select_option("select[name=district]", "渝中区")
    page.fill("input[name=complainant_name]", "王小明")
    page.fill("input[name=complainant_phone]", "13983001001")
    visitor.shot("filled")
    page.click("[data-testid=submit-complaint]")
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile(r"投诉已受理，编号 TS\d{4}-\d{6}"))).to_be_visible()
    number = page.get_by_test_id("complaint-no").inner_text()
    expect(page.get_by_text("承办部门正在办理，答复后将以短信告知您。")).to_be_visible()
    visitor.shot("receipt")

    handler = make("district_yz")
    page = handler.goto("/inbox?tab=groups")
    page.get_by_role("link", name="办理投诉").first.click()
    page.wait_for_load_state()
    assert page.get_by_test_id("task-name").inner_text() == f"办理投诉 · {number}"
    assert page.get_by_test_id("complaint-category").inner_text() == "审核结果"
    assert page.get_by_test_id("complaint-content").inner_text() == CONTENT
    assert page.get_by_test_id("complainant").inner_text() == "投诉人信息已保密"
    body = page.locator("body").inner_text()
    assert "王小明" not in body and "13983001001" not in body and "****" not in body
    expect(page.get_by_text("请核实投诉事项并答复投诉人")).to_be_visible()
    choices = page.locator("select[name=action] option").all_inner_texts()
    assert {"答复投诉人", "转其他部门办理", "请投诉人补充情况"} <= set(choices)
    handler.shot("work-order")
    assert not visitor.console_errors and not handler.console_errors
