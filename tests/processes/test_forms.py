"""Every form is a valid JSON Schema, every user task names one, and scenario answers satisfy it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

from app.engine.scenarios import load_scenarios
from tests.processes.conftest import PROCESSES, ROOT

FORMS = ROOT / "forms"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
#: forms filled outside a user task (application, 补正 message, public objection, complaint)
SERVICE_FORMS = {"application.schema.json", "supplement.schema.json", "objection.schema.json",
                 "allocation_round.schema.json", "exit.schema.json", "complaint.schema.json"}


def _task_forms() -> dict[tuple[str, str], tuple[str, str]]:
    """(process, task id) → (form, ui form) for every user task."""
    out = {}
    for path in PROCESSES.glob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        for process in root.iter(f"{BPMN}process"):
            for task in process.iter(f"{BPMN}userTask"):
                props = {p.get("name"): p.get("value") for p in task.iter(f"{SPIFF}property")}
                out[(process.get("id"), task.get("id"))] = (props.get("formJsonSchemaFilename"),
                                                            props.get("formUiSchemaFilename"))
    return out


def _load(name: str) -> dict:
    return json.loads((FORMS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.schema.json")), ids=lambda p: p.name)
def test_every_form_is_a_valid_schema_with_a_ui_schema_and_chinese_titles(path: Path):
    schema = _load(path.name)
    Draft202012Validator.check_schema(schema)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in schema["title"])
    for name, prop in schema.get("properties", {}).items():
        assert prop.get("title"), f"{path.name}: {name} has no title"
    assert (FORMS / path.name.replace(".schema.json", ".uischema.json")).is_file()


def test_every_user_task_names_an_existing_form_and_every_form_is_used():
    used = set(SERVICE_FORMS)
    for (process, task), (form, ui) in _task_forms().items():
        assert form and (FORMS / form).is_file(), f"{process}/{task}"
        assert ui and (FORMS / ui).is_file(), f"{process}/{task}"
        used.add(form)
    assert used == {p.name for p in FORMS.glob("*.schema.json")}


def test_scenario_answers_satisfy_the_forms_of_their_tasks():
    forms = _task_forms()
    by_task = {task: form for (_process, task), (form, _ui) in forms.items()}
    checked = 0
    for path in PROCESSES.glob("*.scenarios.json"):
        for scenario in load_scenarios(path):
            for step in scenario.get("steps", []):
                if "complete" not in step:
                    continue
                validator = Draft202012Validator(_load(by_task[step["complete"]]))
                for data in step.get("each") or [step.get("data") or {}]:
                    errors = [e.message for e in validator.iter_errors(data)]
                    assert not errors, f"{path.name} {scenario['name']} {step['complete']}: {errors}"
                    checked += 1
    assert checked > 20


def test_supplement_and_objection_examples_validate():
    Draft202012Validator(_load("supplement.schema.json")).validate(
        {"documents": [{"kind": "income_proof", "name": "收入证明.pdf"}]})
    Draft202012Validator(_load("objection.schema.json")).validate(
        {"application_no": "GZF2026-000001", "objector_name": "王五", "objector_id_number": "500103199001011234",
         "objector_phone": "13800000000", "content": "该户在江北区另有住房一套，长期出租。"})
