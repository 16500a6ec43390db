"""The 统计分析 dashboard in the browser: charts drawn, Chinese headings, numbers in the table view."""

from __future__ import annotations

from playwright.sync_api import expect

from app.statistics import refresh
from tests.e2e.conftest import LiveServer, make_live_app
from tests.support import statistics_data


def test_a_city_manager_reads_the_dashboard(live_db, actors):
    app = make_live_app(live_db)
    with app.app_context():
        statistics_data.seed()
        refresh.refresh()
    with LiveServer(app) as server:
        manager = actors(server.url)("manager_city")
        assert "/statistics" in manager.page.url  # a manager lands on the dashboard
        page = manager.goto("/statistics?start=2025-03-01&end=2025-03-31")
        page.wait_for_selector(".stat-chart[data-rendered=true]")
        for heading in ("统计分析", "申请受理与审批", "办理时限", "轮候与配租", "数据核验", "投诉与满意度"):
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert page.locator(".stat-chart svg").count() == page.locator(".stat-chart").count() >= 8
        totals = page.locator("[data-testid=table-applications-totals] tbody tr").inner_text()
        assert totals.split() == ["6", "4", "1", "3", "0", "25.0"]
        figure = page.locator("[data-testid=figure-processing-by_step]")
        figure.locator("summary").click()
        row = figure.locator("tbody tr", has_text="初审").inner_text()
        assert row.split() == ["初审", "3", "2", "5", "50.0", "2", "1"]
        complaints = page.locator("[data-testid=figure-complaints-by_category]")
        complaints.locator("summary").click()
        row = complaints.locator("tbody tr", has_text="审核结果").inner_text()
        assert row.split() == ["审核结果", "2", "2", "0", "0", "2", "5", "50.0", "3.5"]
        assert page.locator("[data-testid=table-complaints-open_now] tbody tr").inner_text().split() == ["2", "1", "1"]
        assert page.locator("[data-testid=stat-filters] select[name=district] option").all_inner_texts() == [
            "全市", "江北区", "渝中区"]
        manager.shot("dashboard")
        assert not manager.console_errors

        district = actors(server.url)("manager_yz")
        page = district.goto("/statistics?start=2025-03-01&end=2025-03-31")
        assert page.locator("select[name=district] option").all_inner_texts() == ["渝中区"]
        assert page.locator("[data-testid=table-applications-totals] tbody tr").inner_text().split()[0] == "4"
        district.shot("district-dashboard")
