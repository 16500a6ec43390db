"""The clerk finds the work: the inbox opens on the tab that has it, the application number finds
every task of a case (its lease's too), and releasing a task cannot be mistaken for a 退回."""

from __future__ import annotations

from playwright.sync_api import expect

from app.services import definition_service, instance_service
from tests.e2e.conftest import LiveServer, make_live_app
from tests.web.conftest import FIXTURES

NUMBER = "GZF2026-900001"


def _start(app, key: str, number: str, district: str = "渝中区") -> str:
    with app.app_context():
        data = {"application_no": number, "applicant_name": "张三丰", "housing_type": "公租房",
                "district": district, "applicant_username": "applicant", "id_number": "110105199001011234"}
        return instance_service.start_instance("web_review", data, business_key=key, actor="applicant").id


def test_the_inbox_opens_where_the_work_is_and_finds_a_case_by_either_number(live_db, actors):
    app = make_live_app(live_db, forms_dir=str(FIXTURES / "forms"))
    with app.app_context():
        definition_service.deploy([("web_review.bpmn", (FIXTURES / "web_review.bpmn").read_bytes())], "test")
    _start(app, NUMBER, NUMBER)  # the application …
    _start(app, f"L{NUMBER}", NUMBER)  # … and a task of its lease, keyed L<number>
    _start(app, "GZF2026-900002", "GZF2026-900002")
    _start(app, "GZF2026-900003", "GZF2026-900003", district="江北区")
    with LiveServer(app) as server:
        clerk = actors(server.url)("street_yz")
        page = clerk.goto("/inbox")  # nothing claimed: the pool opens, not an empty "my tasks"
        assert "active" in page.get_attribute("[data-testid=tab-groups]", "class")
        table = page.inner_text("[data-testid=inbox-table]")
        assert NUMBER in table and "GZF2026-900002" in table and "GZF2026-900003" not in table
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
        clerk.shot("landing-on-pool")

        for typed in (NUMBER, f"L{NUMBER}"):  # either spelling finds both tasks of the case
            page = clerk.goto("/inbox?tab=groups")
            page.fill("input[name=application_no]", typed)
            page.get_by_role("button", name="筛选").click()
            rows = page.locator("[data-testid=inbox-table] tbody tr")
            assert rows.count() == 2, page.inner_text("[data-testid=inbox-table]")
            assert "GZF2026-900002" not in page.inner_text("[data-testid=inbox-table]")
        clerk.shot("search")

        page.locator("tbody tr").first.get_by_role("button", name="认领").click()
        page = clerk.goto("/inbox")  # with a claimed task the inbox opens on "my tasks"
        assert "active" in page.get_attribute("[data-testid=tab-mine]", "class")
        release = page.get_by_role("button", name="放回任务池")
        assert "不作任何决定" in release.get_attribute("title")
        assert "退回" not in release.inner_text()
        release.click()
        assert "已放回任务池" in page.inner_text(".flash")
        clerk.shot("released")
        assert clerk.console_errors == []
