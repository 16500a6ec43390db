"""Who may start a process, set on its start event in the modeler: the roles a policy officer ticks
are written as ``startRoles`` and decide, once deployed, who may start it through the API."""

from __future__ import annotations

import pytest

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import definition_service, demo_service, job_service
from tests.e2e.conftest import LiveServer
from tests.modeler.assets import ensure_built
from tests.modeler.conftest import deploy_fixtures, modeler_settings

CANVAS_READY = "#modeler-canvas[data-ready='1']"


@pytest.fixture(scope="module", autouse=True)
def bundles():
    ensure_built()


def _xml(page) -> str:
    return page.evaluate("window.housingModeler.modeler.saveXML().then(r => r.xml)")


def test_start_roles_are_ticked_on_the_start_event_and_deployed(live_db, actors):
    app = create_app(modeler_settings(live_db), runner=InlineRunner(job_service.execute_batch, synchronous=True))
    with app.app_context():
        demo_service.load_demo_users()
        deploy_fixtures()
    with LiveServer(app) as server:
        officer = actors(server.url)("policy")
        page = officer.page
        officer.goto("/admin/modeler/edit/gzf_trial")
        page.wait_for_selector(CANVAS_READY)
        page.evaluate("(() => { const m = window.housingModeler.modeler; "  # the palette covers it
                      "m.get('selection').select(m.get('elementRegistry').get('start')); })()")
        roles = page.wait_for_selector("[data-testid=prop-start-roles]")
        assert "可直接发起的角色" in page.inner_text("[data-testid=properties]")
        assert "district_reviewer" in roles.inner_text() and "startRoles" not in _xml(page)
        page.check("[data-testid=prop-start-roles] input[type=checkbox][value=district_reviewer]")
        page.wait_for_function("window.housingModeler.modeler.saveXML()"
                               ".then(r => r.xml.includes('name=\"startRoles\" value=\"district_reviewer\"'))")
        page.click("g.djs-element[data-element-id=verify_income]")
        assert page.locator("[data-testid=prop-start-roles]").count() == 0  # only on a process's start event
        officer.shot("start-roles")
        page.fill("[data-testid=deploy-comment]", "区县复审人员可直接发起")
        page.click("[data-testid=deploy]")
        page.wait_for_selector("[data-testid=deployed][data-key=gzf_trial][data-version='2']")
        assert officer.console_errors == []
    with app.app_context():
        [latest] = [d for d in definition_service.list_definitions() if d["key"] == "gzf_trial"]
    assert latest["version"] == 2 and latest["start_events"]["start_roles"] == ["district_reviewer"]
