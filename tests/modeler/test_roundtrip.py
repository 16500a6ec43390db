"""Opening a diagram in the modeler and saving it unchanged keeps everything the engine reads.

The modeler edits the bpmn-moddle model with its ``spiffworkflow`` descriptor; each diagram is
read and written by that model (in Node, as the browser does) and both versions are parsed by
the engine: every task spec must come out the same — operators, parameters, result variables,
properties, decision ids, scripts, conditions, timers, lanes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app.engine.parser import read_document
from tests.modeler.engine_view import engine_view, extension_map

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = [ROOT / "processes", ROOT / "tests/fixtures/bpmn", ROOT / "tests/web/fixtures",
           ROOT / "tests/modeler/fixtures/processes"]
#: a folder of models written to be refused at deploy (tests/integration/test_conformance.py)
REFUSED_AT_DEPLOY = "conformance"


def _bpmn_files() -> list[Path]:
    return sorted(p for folder in FOLDERS if folder.is_dir() for p in folder.rglob("*.bpmn"))


@pytest.fixture(scope="module")
def saved() -> dict:
    """file → the XML bpmn-moddle writes after reading it, and the import warnings."""
    node = shutil.which("node")
    assert node, "node is needed (scripts/test installs the npm packages)"
    files = [str(p) for p in _bpmn_files()]
    run = subprocess.run([node, str(ROOT / "tests/modeler/roundtrip.mjs"), *files], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_every_diagram_is_read_without_warnings(saved):
    assert saved["saved"], "no BPMN files found"
    assert {f: w for f, w in saved["warnings"].items() if w} == {}


@pytest.mark.parametrize("folder", [f for f in FOLDERS if f.is_dir() and any(f.rglob("*.bpmn"))],
                         ids=lambda f: f.relative_to(ROOT).as_posix())
def test_saving_unchanged_keeps_what_the_engine_reads(saved, folder):
    dmn = [read_document(p.name, p.read_bytes()) for p in sorted(folder.rglob("*.dmn"))]
    before, after = [], []
    for path in sorted(folder.rglob("*.bpmn")):
        if REFUSED_AT_DEPLOY in path.parts:  # written to be refused by the engine: nothing to compare
            continue
        original = path.read_bytes()
        again = saved["saved"][str(path)].encode("utf-8")
        assert extension_map(again) == extension_map(original), path.name
        before.append(read_document(path.name, original))
        after.append(read_document(path.name, again))
    for group_before, group_after in zip(_groups(before), _groups(after), strict=True):
        assert engine_view(group_after + dmn) == engine_view(group_before + dmn)


def _groups(documents: list) -> list[list]:
    """Documents whose processes do not clash by id are parsed together (call activities
    resolve); a file reusing a process id is parsed alone."""
    groups: list[list] = [[]]
    seen: set[str] = set()
    for doc in documents:
        ids = {p for p, _n, _e in doc.processes}
        if ids & seen:
            groups.append([doc])
        else:
            groups[0].append(doc)
            seen |= ids
    return groups
