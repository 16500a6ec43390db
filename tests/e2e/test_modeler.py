"""A policy officer changes the 公示 length and the income line in the browser, previews the
impact, deploys, and new cases follow the new rules while old ones finish under the old."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.auth.identity import SYSTEM
from app.engine.workdays import add_working_days, now_utc
from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import demo_service, instance_service, job_service, task_service
from tests.e2e.conftest import LiveServer
from tests.modeler.assets import ensure_built
from tests.modeler.conftest import deploy_fixtures, modeler_settings

CANVAS_READY = "#modeler-canvas[data-ready='1']"


@pytest.fixture(scope="module", autouse=True)
def bundles():
    """The editors' scripts, built from the current sources."""
    ensure_built()


def _app(live_db):
    app = create_app(modeler_settings(live_db), runner=InlineRunner(job_service.execute_batch, synchronous=True))
    with app.app_context():
        demo_service.load_demo_users()
        deploy_fixtures()
    return app


def _start(app, no: str, size: int, income: int) -> str:
    with app.app_context():
        data = {"application_no": no, "household_size": size, "income_per_person": income}
        return instance_service.start_instance("gzf_trial", data, business_key=no).id


def _instance(app, instance_id: str) -> dict:
    with app.app_context():
        return instance_service.get_instance(instance_id)


def _review(app, instance_id: str) -> dict:
    """Complete the street review; answers the instance, now waiting for its 公示 timer."""
    task = _instance(app, instance_id)["ready_tasks"][0]
    with app.app_context():
        task_service.complete(SYSTEM, task["id"], {"decision": "approve", "opinion": "材料齐全"})
    return _instance(app, instance_id)


def _publicity_ends_after(instance: dict, days: int) -> bool:
    """True when the 公示 timer is due at the end of the ``days``-th working day from now."""
    due = next(e["due_at"] for e in instance["waiting_events"] if e["bpmn_id"] == "publicity_period")
    return datetime.fromisoformat(due) == add_working_days(now_utc(), days)


def _edit_process(officer):
    """Change the 公示 timer to 7 working days; break and repair the income check's operator."""
    page = officer.page
    officer.goto("/admin/modeler")
    page.click("[data-testid=edit-gzf_trial]")
    page.wait_for_selector(CANVAS_READY)
    page.click("g.djs-element[data-element-id=publicity_period]")
    assert page.input_value("[data-testid=prop-timer-expression]") == "workdays_from_now(10)"
    page.fill("[data-testid=prop-timer-workdays]", "7")
    page.press("[data-testid=prop-timer-workdays]", "Tab")
    page.wait_for_function("document.querySelector('[data-testid=prop-timer-expression]').value"
                           " === 'workdays_from_now(7)'")
    page.click("g.djs-element[data-element-id=verify_income]")
    page.select_option("[data-testid=prop-operator]", "")
    page.click("[data-testid=lint-toggle]")
    page.wait_for_selector("#modeler-canvas[data-lint-errors]")
    assert int(page.get_attribute("#modeler-canvas", "data-lint-errors")) >= 1
    page.click("[data-testid=validate]")
    badge = page.wait_for_selector("[data-testid=problem-badge][data-element-id=verify_income]")
    assert badge.get_attribute("title")
    assert page.get_attribute("[data-testid=modeler-status]", "data-kind") == "error"
    assert page.locator("[data-testid=problem][data-element-id=verify_income][data-severity=error]").count() == 1
    officer.shot("missing-operator")
    page.select_option("[data-testid=prop-operator]", "test/echo")
    page.fill("[data-testid=param-value]", "income_per_person")
    page.press("[data-testid=param-value]", "Tab")
    page.fill("[data-testid=prop-result-variable]", "verification")
    page.press("[data-testid=prop-result-variable]", "Tab")
    page.click("[data-testid=validate]")
    page.wait_for_selector("[data-testid=no-problems]")
    assert page.locator("[data-testid=problem-badge]").count() == 0
    page.click("[data-testid=run-scenarios]")
    summary = page.wait_for_selector("[data-testid=scenario-summary]")
    assert page.locator("[data-testid=scenario][data-passed='1']").count() == 2, summary.inner_text()
    page.click("[data-testid=deploy]")
    assert page.get_attribute("[data-testid=modeler-status]", "data-kind") == "error"  # no comment yet
    page.fill("[data-testid=deploy-comment]", "公示期由 10 个工作日改为 7 个工作日")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=deployed][data-key=gzf_trial][data-version='2']")
    officer.shot("process-deployed")


def _edit_income_line(officer) -> int:
    """Raise the line for households of 3+ to 4500, preview, deploy; answers the changed count."""
    page = officer.page
    officer.goto("/admin/modeler/edit/gzf_income_line")
    page.wait_for_selector(CANVAS_READY)
    for cell_id, text in (("Income_three", "<= 4500"), ("Line_three", "4500")):
        page.locator(f"td[data-element-id={cell_id}] [contenteditable]").click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        page.click("h1")
    xml = page.evaluate("window.housingModeler.modeler.saveXML().then(r => r.xml)")
    assert "&lt;= 4500" in xml and "4148" not in xml
    page.click("[data-testid=validate]")
    page.wait_for_selector("[data-testid=no-problems]")
    page.fill("[data-testid=preview-limit]", "50")
    page.click("[data-testid=preview]")
    summary = page.wait_for_selector("[data-testid=preview-summary]")
    changed = int(summary.get_attribute("data-changed"))
    assert summary.get_attribute("data-flipped") == "1"   # only GZF-OLD-R's eligibility flips
    assert page.locator("[data-testid=changed-case]").count() == changed
    officer.shot("policy-preview")
    page.fill("[data-testid=deploy-comment]", "三人及以上家庭收入线调整为 4500 元")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=deployed][data-key=gzf_income_line][data-version='2']")
    return changed


def test_policy_officer_changes_publicity_and_income_line_then_cases_follow_their_version(live_db, actors):
    app = _app(live_db)
    _start(app, "GZF-OLD-R", 3, 4300)            # decided under the old line: rejected
    _start(app, "GZF-OLD-S", 1, 4300)            # single person: another rule, unaffected
    old_waiting = _start(app, "GZF-OLD-W", 3, 4000)   # waits at the street review on v1
    to_migrate = _start(app, "GZF-OLD-M", 3, 4000)    # waits too; will be moved to v2
    with LiveServer(app) as server:
        officer = actors(server.url)("policy")
        _edit_process(officer)
        assert _edit_income_line(officer) == 3     # the three households of 3: their line moved
        flipped = officer.page.locator("[data-testid=changed-case] td .out-changed[data-output=eligible]")
        assert flipped.count() == 2               # before and after, in one row: GZF-OLD-R
        assert officer.page.locator("[data-testid=changed-case][data-business-key=GZF-OLD-R] "
                                    ".out-changed[data-output=eligible]").count() == 2

        new_case = _start(app, "GZF-NEW-1", 3, 4300)
        new = _instance(app, new_case)
        assert new["version"] == 2 and [t["bpmn_id"] for t in new["ready_tasks"]] == ["street_review"]
        assert new["data"]["eligible"] is True and new["data"]["income_line"] == 4500
        assert _instance(app, old_waiting)["version"] == 1

        page = officer.page
        officer.goto("/admin/modeler/migrate/gzf_trial")
        row = page.locator(f"tr[data-instance='{to_migrate}']")
        assert row.get_attribute("data-can-migrate") == "1"
        row.locator("input[name=instance_id]").check()
        page.click("[data-testid=migrate]")
        page.wait_for_selector(f"[data-testid=migration-report] tr[data-instance='{to_migrate}'][data-migrated='1']")
        officer.shot("migrated")
        assert _instance(app, to_migrate)["version"] == 2
        assert _instance(app, old_waiting)["version"] == 1

        assert _publicity_ends_after(_review(app, old_waiting), 10)
        assert _publicity_ends_after(_review(app, to_migrate), 7)
        assert _publicity_ends_after(_review(app, new_case), 7)

        officer.goto("/admin/modeler/versions/gzf_trial")
        assert "公示期由 10 个工作日改为 7 个工作日" in page.inner_text("[data-testid=version-list]")
        page.click("[data-testid=compare]")
        page.wait_for_selector("#diff-after[data-ready='1']")
        assert page.get_attribute("#diff-after", "data-marked") == "publicity_period"
        assert page.locator("#diff-after g[data-element-id=publicity_period].diff-changed").count() == 1
        officer.shot("diff")
        assert officer.console_errors == []
