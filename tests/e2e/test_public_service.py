"""The public-service pages in the browser: the 3-person income line on 服务指南 and a progress
query (wrong suffix: nothing shown; right suffix: the stage), on a desktop and a phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.cli import deploy_directory
from app.public import demo
from app.public import ratelimit as public_ratelimit
from tests.conftest import ROOT
from tests.e2e.conftest import LiveServer, make_live_app
from tests.public.conftest import ID_NUMBER, clear_cases, make_case


@pytest.mark.parametrize("width", [1366, 390])
def test_a_visitor_finds_the_income_line_and_queries_progress(live_db, actors, width):
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"))
    with app.app_context():
        deploy_directory(ROOT / "processes")
        demo.load()
        number = make_case()
        public_ratelimit.reset()
    try:
        with LiveServer(app) as server:
            visitor = actors(server.url)()
            page = visitor.page
            page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
            visitor.goto("/publicity")
            page.get_by_role("link", name="服务指南").first.click()
            expect(page.get_by_role("heading", name="公租房申请服务指南")).to_be_visible()
            row = page.get_by_role("row").filter(has_text="3人")
            expect(row.first).to_be_visible()
            assert "4148" in row.first.inner_text()
            visitor.shot(f"guide-{width}")

            page.get_by_role("link", name="办理进度查询").first.click()
            page.get_by_label("申请编号").fill(number)
            page.get_by_label("申请人身份证号码后6位").fill("999999")
            page.get_by_role("button", name="查询").click()
            refusal = page.get_by_role("alert")
            assert "未查询到办理信息" in refusal.inner_text()
            assert page.get_by_text("张*丰").count() == 0 and page.get_by_text("初审").count() == 0
            visitor.shot(f"progress-refused-{width}")

            page.get_by_label("申请编号").fill(number)
            page.get_by_label("申请人身份证号码后6位").fill(ID_NUMBER[-6:])
            page.get_by_role("button", name="查询").click()
            result = page.get_by_test_id("progress-result")
            assert "初审" in result.inner_text() and "张*丰" in result.inner_text()
            assert ID_NUMBER not in page.content()
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"the page is wider ({scroll_width}px) than the screen ({width}px)"
            visitor.shot(f"progress-answered-{width}")

            page.get_by_role("link", name="政策文件库").first.click()
            page.get_by_test_id("policy-query").fill("公共租赁住房")
            page.get_by_role("button", name="搜索").click()
            expect(page.get_by_role("link", name="公共租赁住房管理办法")).to_be_visible()
            visitor.shot(f"policies-{width}")
    finally:
        with app.app_context():
            clear_cases()
