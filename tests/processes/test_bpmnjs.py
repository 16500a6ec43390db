"""Every diagram and decision table opens in bpmn-js / dmn-js (from node_modules) without a warning."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import browser  # noqa: F401  (one headless Chromium for the session)
from tests.processes.conftest import PROCESSES, ROOT

pytestmark = pytest.mark.e2e
NODE_MODULES = ROOT / "node_modules"
PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><div id="canvas"
style="width:1600px;height:900px"></div></body></html>"""


@pytest.fixture(scope="module")
def viewer_page(browser):  # noqa: F811
    page = browser.new_page()
    page.set_content(PAGE)
    for script in ("bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
                   "dmn-js/dist/dmn-viewer.production.min.js"):
        assert (NODE_MODULES / script).is_file(), f"npm ci installs {script}"
        page.add_script_tag(path=str(NODE_MODULES / script))
    yield page
    page.close()


IMPORT = """async ([kind, xml]) => {
    document.querySelector('#canvas').innerHTML = '';
    const viewer = kind === 'bpmn' ? new BpmnJS({container: '#canvas'}) : new DmnJS({container: '#canvas'});
    try {
        const {warnings} = await viewer.importXML(xml);
        const shapes = kind === 'bpmn' ? viewer.get('elementRegistry').getAll().length : 0;
        const tables = kind === 'dmn'
            ? viewer.getViews().filter(v => v.type === 'decisionTable').map(v => v.element.id) : [];
        return {warnings: warnings.map(w => w.message), shapes, tables};
    } catch (err) { return {error: String(err)}; }
}"""


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.bpmn")), ids=lambda p: p.name)
def test_each_diagram_imports_into_bpmn_js_without_warnings(viewer_page, path):
    result = viewer_page.evaluate(IMPORT, ["bpmn", path.read_text(encoding="utf-8")])
    assert result.get("error") is None and result["warnings"] == [], result
    assert result["shapes"] > 5


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.dmn")), ids=lambda p: p.name)
def test_each_decision_file_imports_into_dmn_js_with_every_table(viewer_page, path):
    result = viewer_page.evaluate(IMPORT, ["dmn", path.read_text(encoding="utf-8")])
    assert result.get("error") is None and result["warnings"] == [], result
    assert len(result["tables"]) >= 1 and all(t.startswith(path.stem.split("_")[0]) for t in result["tables"])
