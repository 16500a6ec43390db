"""Every diagram and decision table opens in bpmn-js / dmn-js (from node_modules) without a warning.

The viewers run in headless Chromium in a child process, so this check never shares Playwright's
event loop with the browser tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM
from tests.processes.conftest import PROCESSES, ROOT

pytestmark = pytest.mark.e2e
VIEWERS = ("bpmn-js/dist/bpmn-navigated-viewer.production.min.js", "dmn-js/dist/dmn-viewer.production.min.js")
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
CHILD = """
import json, sys
from playwright.sync_api import sync_playwright
chromium, scripts, files, check = json.loads(sys.stdin.read())
out = {}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page()
    page.set_content('<div id="canvas" style="width:1600px;height:900px"></div>')
    for script in scripts:
        page.add_script_tag(path=script)
    for name, kind, xml in files:
        out[name] = page.evaluate(check, [kind, xml])
    browser.close()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def imported():
    scripts = [str(ROOT / "node_modules" / s) for s in VIEWERS]
    for script in scripts:
        assert Path(script).is_file(), f"npm ci installs {script}"
    files = [(p.name, p.suffix[1:], p.read_text(encoding="utf-8"))
             for p in sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))]
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps([CHROMIUM, scripts, files, IMPORT]),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.bpmn")), ids=lambda p: p.name)
def test_each_diagram_imports_into_bpmn_js_without_warnings(imported, path):
    result = imported[path.name]
    assert result.get("error") is None and result["warnings"] == [], result
    assert result["shapes"] > 5


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.dmn")), ids=lambda p: p.name)
def test_each_decision_file_imports_into_dmn_js_with_every_table(imported, path):
    result = imported[path.name]
    assert result.get("error") is None and result["warnings"] == [], result
    assert len(result["tables"]) >= 1 and all(t.startswith(path.stem.split("_")[0]) for t in result["tables"])
