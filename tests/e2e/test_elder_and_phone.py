"""Every page a person opens is usable on a phone (390 px) and in 长辈模式, and passes axe-core.

Pages of the visitor, the applicant and the street reviewer, on the sample cases verified
against the connector sandbox: at 390 px nothing is wider than the screen and a table reads as
cards with their column headings; axe-core (WCAG 2.1 A/AA) finds no serious or critical
violation; 长辈模式 is remembered for the user at the next login and makes the type larger.
"""

from __future__ import annotations

import pytest

from app.cli import deploy_directory
from app.services import demo_service
from tests.conftest import ROOT
from tests.e2e.conftest import LiveServer, make_live_app

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""

#: the elements that reach past the screen's right edge (named by tag, class and test id)
WIDEST = """() => Array.from(document.querySelectorAll("body *"))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + "." + e.className + " " + (e.dataset.testid || ""))"""


@pytest.fixture
def server(live_db):
    from connectors.sandbox.server import start_in_thread

    sandbox_url, stop_sandbox = start_in_thread(port=0)
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"), processes_dir=str(ROOT / "processes"),
                        sandbox_url=sandbox_url)
    with app.app_context():
        deploy_directory(ROOT / "processes")
        demo_service.load_demo_public_content()
        numbers = demo_service.load_demo_cases()
    assert numbers, "the sample cases were not submitted"
    try:
        with LiveServer(app) as live:
            live.numbers = numbers
            yield live
    finally:
        stop_sandbox()


def check(actor, name: str) -> None:
    """The page fits the screen, passes axe-core, and is kept as a screenshot."""
    page = actor.page
    page.wait_for_load_state()
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(WIDEST) if scroll_width > width else []
    assert scroll_width <= width, f"{name}: the page is {scroll_width}px wide on a {width}px screen: {wide}"
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: scripts/test installs axe-core with npm ci")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(SERIOUS)
    assert violations == [], f"{name}: {violations}"
    actor.shot(name)


def test_pages_on_a_phone_and_in_elder_mode_pass_axe(server, actors):
    visitor = actors(server.url)(width=390)
    for path, name in (("/login", "login"), ("/publicity", "publicity"), ("/service", "service"),
                       ("/service/guide", "guide"), ("/service/progress", "progress"),
                       ("/public/lottery", "lottery")):
        visitor.goto(path)
        check(visitor, f"{name}-390")

    applicant = actors(server.url)("applicant", width=390)
    page = applicant.goto("/portal")
    check(applicant, "portal-390")
    case = page.locator("[data-testid=my-cases] a").first
    number = case.inner_text()
    case.click()
    assert number in page.inner_text("main")
    check(applicant, "application-390")
    applicant.goto("/portal/apply")
    check(applicant, "apply-390")

    street = actors(server.url)("street_yz", width=390)
    page = street.goto("/inbox?tab=groups")
    rows = page.locator("table.cards tr:has(td)")
    assert rows.count() >= 1, page.inner_text("main")
    cell = rows.first.locator("td[data-label='申请编号']")  # a cell on a phone carries its column heading
    assert cell.count() == 1 and cell.inner_text().startswith(("GZF", "BZF")), rows.first.inner_html()
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"  # a card, not a squeezed column
    check(street, "inbox-390")
    page.locator("table.cards a").first.click()
    page.wait_for_selector("[data-testid=task-form]")
    check(street, "task-390")

    # 长辈模式: larger type and higher contrast, remembered for the user at the next login
    page = applicant.goto("/portal")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("[data-testid=elder-toggle]")
    assert page.get_attribute("html", "class") == "elder"
    assert page.inner_text("[data-testid=elder-toggle]") == "标准模式"
    larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger >= 20 > normal, (normal, larger)
    check(applicant, "portal-elder-390")
    applicant.goto(f"/portal/applications/{number}")
    check(applicant, "application-elder-390")

    again = actors(server.url)("applicant")  # a new browser at 1280 px: the choice came with the login
    page = again.goto("/portal")
    assert page.get_attribute("html", "class") == "elder"
    check(again, "portal-elder-1280")
    page.click("[data-testid=elder-toggle]")
    assert page.get_attribute("html", "class") is None
    assert page.inner_text("[data-testid=elder-toggle]") == "长辈模式"

    for actor in (visitor, applicant, street, again):
        assert actor.console_errors == []


def test_staff_pages_on_a_phone_pass_axe(server, actors):
    pages = {
        "city": ["/allocation", "/batch-import"],
        "manager_city": ["/statistics"],
        "operator": ["/admin", "/admin/incidents", "/admin/timers", "/complaints/desk"],
        "policy": ["/admin/public/policies", "/admin/public/faq"],
        "district_yz": ["/inbox?tab=groups"],
    }
    for username, paths in pages.items():
        actor = actors(server.url)(username, width=390)
        for path in paths:
            response = actor.page.goto(server.url + path)
            assert response.status == 200, (username, path, response.status)
            check(actor, f"{path.strip('/').replace('/', '-').split('?')[0]}-390")
        assert actor.console_errors == [], username
