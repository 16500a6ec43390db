"""Typed operator parameters in the modeler: choices from a drop-down, literals checked by type
in the browser and again by the server's validation, on the element."""

from __future__ import annotations

import pytest

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import demo_service, job_service
from tests.e2e.conftest import LiveServer
from tests.modeler.assets import ensure_built
from tests.modeler.conftest import deploy_fixtures, modeler_settings

CANVAS_READY = "#modeler-canvas[data-ready='1']"


@pytest.fixture(scope="module", autouse=True)
def bundles():
    ensure_built()


def _xml(page) -> str:
    return page.evaluate("window.housingModeler.modeler.saveXML().then(r => r.xml)")


def _set(page, testid: str, value: str) -> None:
    page.fill(f"[data-testid={testid}]", value)
    page.press(f"[data-testid={testid}]", "Tab")


def test_choices_and_literal_types_are_checked_where_they_are_typed(live_db, actors):
    app = create_app(modeler_settings(live_db), runner=InlineRunner(job_service.execute_batch, synchronous=True))
    with app.app_context():
        demo_service.load_demo_users()
        deploy_fixtures()
    with LiveServer(app) as server:
        officer = actors(server.url)("policy")
        page = officer.page
        officer.goto("/admin/modeler/edit/gzf_trial")
        page.wait_for_selector(CANVAS_READY)
        page.click("g.djs-element[data-element-id=verify_income]")

        page.select_option("[data-testid=prop-operator]", "publication/open")
        page.wait_for_selector("[data-testid=param-choice-housing_type]")
        labels = page.locator("[data-testid=param-choice-housing_type] option").all_inner_texts()
        assert "gongzufang" in labels and "baozufang" in labels
        page.select_option("[data-testid=param-choice-housing_type]", "'baozufang'")
        page.wait_for_function("document.querySelector('[data-testid=param-housing_type]').value === \"'baozufang'\"")
        assert "baozufang" in _xml(page)
        assert page.locator("[data-testid=param-problem-housing_type]").count() == 0

        _set(page, "param-housing_type", "'jingjifang'")
        problem = page.wait_for_selector("[data-testid=param-problem-housing_type]")
        assert "gongzufang" in problem.inner_text()
        _set(page, "param-days", "'7'")
        assert "整数" in page.wait_for_selector("[data-testid=param-problem-days]").inner_text()
        officer.shot("typed-parameter-problems")

        page.click("[data-testid=validate]")
        page.wait_for_selector("[data-testid=problem-badge][data-element-id=verify_income]")
        messages = page.locator("[data-testid=problem][data-element-id=verify_income]").all_inner_texts()
        assert any("days" in m and "integer" in m for m in messages), messages
        assert any("housing_type" in m and "one of" in m for m in messages), messages

        page.select_option("[data-testid=param-choice-housing_type]", "'gongzufang'")
        _set(page, "param-days", "7")
        page.wait_for_function("!document.querySelector('[data-testid=param-problem-days]')")
        assert page.locator("[data-testid=param-problem-housing_type]").count() == 0
        page.click("[data-testid=validate]")
        page.wait_for_function("![...document.querySelectorAll('[data-testid=problem]')]"
                               ".some(e => /days|housing_type/.test(e.textContent))")
        messages = page.locator("[data-testid=problem][data-element-id=verify_income]").all_inner_texts()
        assert not any("days" in m or "housing_type" in m for m in messages), messages
        assert officer.console_errors == []
