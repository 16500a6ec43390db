"""Every scenario next to every diagram in processes/, run without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.operators import load_operators
from app.engine.parser import read_document
from app.engine.scenarios import load_scenarios, run_scenario

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def documents():
    """Every BPMN and DMN file of processes/."""
    files = sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))
    return [read_document(p.name, p.read_bytes()) for p in files]


def all_scenarios():
    out = []
    for path in sorted(PROCESSES.glob("*.scenarios.json")):
        for scenario in load_scenarios(path):
            out.append(pytest.param(scenario, id=f"{path.name.split('.')[0]}:{scenario['name']}"))
    return out


DOCUMENTS = None


@pytest.mark.parametrize("scenario", all_scenarios())
def test_scenario(scenario):
    global DOCUMENTS
    load_operators()
    DOCUMENTS = DOCUMENTS or documents()
    result = run_scenario(DOCUMENTS, scenario)
    assert result.passed, "\n".join(result.failures) + f"\npath: {result.path}\nready: {result.ready}"
