"""The modeler on the real lifecycle diagrams of processes/: open the 公租房 application,
change the 公示 period (a policy parameter of its first script), try the scenarios, deploy;
raise the income line for households of three and deploy; and a diagram saved by the browser
unchanged is read by the engine exactly as the original."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.parser import read_document
from app.engine.scenarios import load_scenarios
from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import definition_service, demo_service, job_service
from tests.conftest import make_settings
from tests.e2e.conftest import LiveServer
from tests.modeler.assets import ensure_built
from tests.modeler.engine_view import engine_view, extension_map

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
CANVAS_READY = "#modeler-canvas[data-ready='1']"
SAVED = "window.housingModeler.modeler.saveXML({format: true}).then(r => r.xml)"


@pytest.fixture(scope="module", autouse=True)
def bundles():
    ensure_built()


@pytest.fixture
def lifecycle(live_db):
    """A live server with the real forms/ and every diagram of processes/ deployed."""
    settings = make_settings(live_db, forms_dir=str(ROOT / "forms"), processes_dir=str(PROCESSES))
    app = create_app(settings, runner=InlineRunner(job_service.execute_batch, synchronous=True))
    with app.app_context():
        demo_service.load_demo_users()
        files = sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))
        definition_service.deploy([(p.name, p.read_bytes()) for p in files], "test", "初始版本")
    with LiveServer(app) as server:
        yield app, server


def _click_element(page, element_id: str) -> None:
    """Bring a shape of a large diagram to the middle of the canvas, then click it."""
    page.evaluate("""id => {
        const m = window.housingModeler.modeler;
        const canvas = m.get('canvas');
        canvas.zoom(1);
        const el = m.get('elementRegistry').get(id);
        const box = canvas.viewbox();
        canvas.scroll({dx: box.x + box.width / 2 - (el.x + el.width / 2),
                       dy: box.y + box.height / 2 - (el.y + el.height / 2)});
    }""", element_id)
    page.click(f"g.djs-element[data-element-id={element_id}]")


def test_the_browser_saves_lifecycle_diagrams_without_losing_anything(lifecycle, actors):
    _app, server = lifecycle
    officer = actors(server.url)("policy")
    dmn = [read_document(p.name, p.read_bytes()) for p in sorted(PROCESSES.glob("*.dmn"))]
    originals = [read_document(p.name, p.read_bytes()) for p in sorted(PROCESSES.glob("*.bpmn"))]
    saved = []
    for doc in originals:
        officer.goto(f"/admin/modeler/edit/{doc.processes[0][0]}")
        officer.page.wait_for_selector(CANVAS_READY)
        xml = officer.page.evaluate(SAVED).encode("utf-8")
        assert extension_map(xml) == extension_map(doc.content), doc.file_name
        saved.append(read_document(doc.file_name, xml))
    assert engine_view(saved + dmn) == engine_view(originals + dmn)
    assert officer.console_errors == []


def test_policy_officer_changes_the_lifecycle_publicity_period_and_income_line(lifecycle, actors):
    app, server = lifecycle
    officer = actors(server.url)("policy")
    page = officer.page
    officer.goto("/admin/modeler/edit/gongzufang_application")
    page.wait_for_selector(CANVAS_READY)
    _click_element(page, "prepare_case")
    field = "[data-testid=script-param-publication_days]"
    assert page.input_value(field) == "7"
    page.fill(field, "10")
    page.press(field, "Tab")
    page.wait_for_function("document.querySelector('[data-testid=prop-script]').value"
                           ".includes('publication_days = 10')")
    page.click("[data-testid=validate]")
    page.wait_for_selector("[data-testid=problems][data-errors='0']")
    page.click("[data-testid=run-scenarios]")
    page.wait_for_selector("[data-testid=scenario-summary]")
    expected = load_scenarios(PROCESSES / "gongzufang_application.scenarios.json")
    assert page.locator("[data-testid=scenario]").count() == len(expected) > 0
    results = page.inner_text("[data-testid=scenario-results]")
    assert "cannot start" not in results  # the edited diagram compiled and ran every scenario
    assert page.locator("[data-testid=scenario][data-passed='1']").count() == len(expected), results
    officer.shot("lifecycle-scenarios")
    page.fill("[data-testid=deploy-comment]", "公示期改为 10 个工作日")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=deployed][data-key=gongzufang_application][data-version='2']")

    officer.goto("/admin/modeler/edit/gongzufang_income_line")
    page.wait_for_selector(CANVAS_READY)
    page.locator("td[data-element-id=Out_gongzufang_income_line_three_plus_0] [contenteditable]").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("4500")
    page.click("h1")
    page.click("[data-testid=validate]")
    page.wait_for_selector("[data-testid=problems][data-errors='0']")
    page.click("[data-testid=preview]")
    page.wait_for_selector("[data-testid=preview-summary][data-cases='0']")
    page.fill("[data-testid=deploy-comment]", "三人及以上家庭收入线调整为 4500 元")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=deployed][data-key=gongzufang_income_line][data-version='2']")
    with app.app_context():
        assert "<text>4500</text>" in definition_service.get_version("gongzufang_income_line", 2)["xml"]
    assert officer.console_errors == []
