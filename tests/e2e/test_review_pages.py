"""Clicking through the generic pages as each role, and the walls between users."""

from __future__ import annotations

from playwright.sync_api import expect

from app.services import definition_service, instance_service
from tests.e2e.conftest import LiveServer, make_live_app
from tests.web.conftest import FIXTURES


def _start(app, no: str, district: str = "渝中区", applicant: str = "applicant") -> str:
    with app.app_context():
        data = {"application_no": no, "applicant_name": "张三丰", "housing_type": "公租房", "district": district,
                "applicant_username": applicant, "id_number": "110105199001011234"}
        return instance_service.start_instance("web_review", data, business_key=no, actor=applicant).id


def _app(live_db):
    app = make_live_app(live_db, forms_dir=str(FIXTURES / "forms"))
    with app.app_context():
        definition_service.deploy([("web_review.bpmn", (FIXTURES / "web_review.bpmn").read_bytes())], "test")
    return app


def test_reviewers_and_the_applicant_carry_a_case_through_the_pages(live_db, actors):
    app = _app(live_db)
    _start(app, "E2E-001")
    with LiveServer(app) as server:
        as_ = actors(server.url)
        street = as_("street_yz")
        page = street.page
        page.click("[data-testid=tab-groups]")
        row = page.locator("tr", has_text="E2E-001")
        assert row.locator("[data-testid=sla]").inner_text().startswith("剩")
        street.shot("inbox-pool")
        row.get_by_role("button", name="认领").click()
        page.click("[data-testid=tab-mine]")
        page.get_by_role("link", name="初审").click()
        page.wait_for_selector("#diagram[data-rendered='1']")
        assert page.get_attribute("#diagram", "data-current") == "street_review"
        assert page.locator("g[data-element-id=street_review].current").count() == 1
        assert "110105********1234" in page.inner_text("[data-testid=case-data]")
        page.click("[data-testid=decision-approve]")  # no opinion yet: the server says what is missing
        expect(page.locator("[data-error-for=opinion]")).to_have_count(1)
        street.shot("opinion-required")
        page.fill("textarea[name=opinion]", "经入户调查，情况属实，同意上报")
        page.check("input[name=home_visit]")
        page.click("[data-testid=decision-approve]")
        assert "已办理" in page.inner_text(".flash")
        street.shot("approved")

        district = as_("district_yz")
        district.goto("/inbox?tab=groups")
        district.page.get_by_role("link", name="复审").click()
        assert "经入户调查，情况属实，同意上报" in district.page.inner_text("[data-testid=history]")
        district.page.click("[data-testid=full-ids]")
        assert "110105199001011234" in district.page.inner_text("[data-testid=case-data]")
        district.shot("full-ids-audited")
        district.page.fill("textarea[name=opinion]", "复审通过")
        district.page.click("[data-testid=decision-approve]")

        applicant = as_("applicant")
        applicant.page.get_by_role("link", name="申请人确认").click()
        applicant.page.check("input[name=confirmed]")
        applicant.page.click("[data-testid=submit]")
        applicant.page.get_by_role("link", name="E2E-001").click()
        timeline = applicant.page.inner_text("[data-testid=timeline]")
        assert "初审" in timeline and "复审" in timeline and "已办结" in applicant.page.inner_text("main")
        applicant.shot("progress")
        for actor in (street, district, applicant):
            assert actor.console_errors == []


def test_an_applicant_cannot_open_anothers_case_nor_a_reviewer_another_district(live_db, actors):
    app = _app(live_db)
    mine = _start(app, "E2E-YZ")
    _start(app, "E2E-JB", district="江北区", applicant="applicant2")
    with LiveServer(app) as server:
        as_ = actors(server.url)
        other = as_("applicant2")
        response = other.page.goto(f"{server.url}/portal/cases/{mine}")
        assert response.status == 404
        assert "E2E-YZ" not in other.page.content()
        other.shot("other-applicants-case")
        street_jb = as_("street_jb")
        street_jb.goto("/inbox?tab=groups")
        assert "E2E-JB" in street_jb.page.inner_text("[data-testid=inbox-table]")
        assert "E2E-YZ" not in street_jb.page.inner_text("[data-testid=inbox-table]")
        street_yz = as_("street_yz")
        street_yz.goto("/inbox?tab=groups")
        href = street_yz.page.get_by_role("link", name="初审").get_attribute("href")
        response = street_jb.page.goto(server.url + href)
        assert response.status == 404
        street_jb.shot("other-district-task")
        assert street_jb.page.goto(f"{server.url}/admin/incidents").status == 403
