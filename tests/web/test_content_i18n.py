"""English for the texts that come from data: forms/, processes/ and the messages services raise.

A form string, a step name or a service message without an English entry fails here, so a new
one cannot ship Chinese-only by accident; the lookup itself shows Chinese for anything missing.
"""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jinja2 import ChainableUndefined
from jinja2.sandbox import SandboxedEnvironment

from app.web import i18n
from tests.web.languages import bare_app, in_language

ROOT = Path(__file__).resolve().parents[2]
FORMS, PROCESSES, SERVICES = ROOT / "forms", ROOT / "processes", ROOT / "app" / "services"
HAN = re.compile(r"[\u4e00-\u9fff]")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
#: named BPMN elements a page may show: steps of every kind, events, gateways, processes, lanes,
#: and the labels of sequence flows (on the diagram)
STEP_KINDS = {
    "process", "participant", "lane", "sequenceFlow", "userTask", "manualTask", "task", "serviceTask", "scriptTask",
    "businessRuleTask", "receiveTask", "sendTask", "callActivity", "subProcess", "startEvent", "endEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway",
}
#: the case's ``step`` as scripts and service-task parameters set it
STEP_VALUES = (re.compile(r"""["']?step["']?\s*[:=]\s*(?:"|&quot;)([^"&]+)(?:"|&quot;)"""),
               re.compile(r"""id="step"[^>]*value='"([^"]+)"'"""))


def _catalogue(folder: Path) -> dict[str, str]:
    return json.loads((folder / "i18n" / "en.json").read_text(encoding="utf-8"))


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) and HAN.search(value) else []


def form_strings() -> dict[str, str]:
    """Every Chinese string in forms/*.json → the first file that has it."""
    found: dict[str, str] = {}
    for path in sorted(FORMS.glob("*.json")):
        for text in _strings(json.loads(path.read_text(encoding="utf-8"))):
            found.setdefault(text, path.name)
    return found


def step_names() -> dict[str, str]:
    """Every name of a step (and of a process, lane, event) and every ``step`` value in processes/."""
    found: dict[str, str] = {}
    for path in sorted(PROCESSES.glob("*.bpmn")):
        for element in ET.parse(path).getroot().iter():
            name = (element.get("name") or "").strip()
            if element.tag.removeprefix(BPMN) in STEP_KINDS and HAN.search(name):
                found.setdefault(name, path.name)
        source = path.read_text(encoding="utf-8")
        for pattern in STEP_VALUES:
            for match in pattern.finditer(source):
                found.setdefault(match.group(1), path.name)
    return found


def decision_texts() -> dict[str, str]:
    """Rule descriptions and quoted output texts (reasons, labels) of the decision tables in processes/."""
    found: dict[str, str] = {}
    for path in sorted(PROCESSES.glob("*.dmn")):
        root = ET.parse(path).getroot()
        ns = root.tag.split("}")[0] + "}"
        for rule in root.iter(f"{ns}rule"):
            texts = [rule.findtext(f"{ns}description") or ""]
            for entry in rule.findall(f"{ns}outputEntry"):
                texts += re.findall(r'"([^"]*)"', entry.findtext(f"{ns}text") or "")
            for text in texts:
                if HAN.search(text):
                    found.setdefault(text.strip(), path.name)
    return found


def user_task_names() -> set[str]:
    return {e.get("name").strip() for path in PROCESSES.glob("*.bpmn") for e in ET.parse(path).getroot().iter()
            if e.tag == f"{BPMN}userTask" and e.get("name")}


def _text(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def service_messages() -> dict[str, str]:
    """Chinese texts in ``raise`` statements of app/services (f-string values as ``{}``) → file."""
    found: dict[str, str] = {}
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            inner = {id(v) for n in ast.walk(node.exc) if isinstance(n, ast.JoinedStr) for v in n.values}
            for part in ast.walk(node.exc):
                text = _text(part)
                if text and HAN.search(text) and id(part) not in inner:
                    found.setdefault(text, path.name)
    return found


def test_every_form_string_has_english():
    english = _catalogue(FORMS)
    missing = {text: where for text, where in form_strings().items() if text not in english}
    assert not missing, f"add to forms/i18n/en.json: {missing}"


def test_every_step_name_in_the_shipped_diagrams_has_english():
    english = _catalogue(PROCESSES)
    names = step_names()
    assert user_task_names() <= set(names) and "初审" in names and "待补正" in names
    missing = {text: where for text, where in names.items() if text not in english}
    assert not missing, f"add to processes/i18n/en.json: {missing}"


def test_every_rule_description_and_reason_of_the_shipped_decision_tables_has_english():
    english = _catalogue(PROCESSES)
    texts = decision_texts()
    assert "家庭人均月收入超过收入线" in texts and "人均月收入：不符合" in texts
    missing = {text: where for text, where in texts.items() if text not in english}
    assert not missing, f"add to processes/i18n/en.json: {missing}"


@pytest.mark.parametrize("folder", [FORMS, PROCESSES], ids=["forms", "processes"])
def test_catalogue_entries_are_english(folder):
    untranslated = {k: v for k, v in _catalogue(folder).items() if not v.strip() or HAN.search(v)}
    assert not untranslated


def test_every_chinese_message_a_service_raises_has_english():
    messages = service_messages()
    assert "只能提交本人的申请" in messages  # the scan sees the services at all
    missing = {text: where for text, where in messages.items() if text not in i18n.EN}
    assert not missing, f"add to app/translations/en/LC_MESSAGES/messages.po: {missing}"


def test_a_service_message_with_values_is_a_message_id_not_a_formatted_sentence():
    """English is found by id, never by matching a filled-in Chinese sentence against a pattern."""
    formatted = {text: where for text, where in service_messages().items() if "{}" in text}
    assert not formatted, f"raise app.l10n.Message(id, **values) instead: {formatted}"


def test_every_data_source_title_has_english():
    from connectors.base.registry import CONNECTORS, import_connector_modules

    import_connector_modules()
    titles = {cls.title for cls in CONNECTORS.values() if HAN.search(cls.title or "")}
    assert "公安户籍" in titles
    missing = sorted(titles - set(i18n.EN))
    assert not missing, f"add the connector titles to app/translations/en/LC_MESSAGES/messages.po: {missing}"


@pytest.mark.parametrize("folder", [FORMS, PROCESSES], ids=["forms", "processes"])
def test_placeholders_match_between_languages(folder):
    field = re.compile(r"{(\w+)}")
    wrong = [k for k, v in _catalogue(folder).items() if sorted(field.findall(k)) != sorted(field.findall(v))]
    assert not wrong


def instructions() -> list[tuple[str, str]]:
    """``(file, template)`` of every ``instructionsForEndUser`` in the shipped diagrams."""
    tag = "{http://spiffworkflow.org/bpmn/schema/1.0/core}instructionsForEndUser"
    return [(path.name, e.text) for path in sorted(PROCESSES.glob("*.bpmn"))
            for e in ET.parse(path).getroot().iter(tag) if e.text and HAN.search(e.text)]


class _Sample(ChainableUndefined):
    """Any value an instruction reads: prints as ``A1``, is one item long, true unless told."""

    truth = True

    def __str__(self):
        return "A1"

    def __iter__(self):
        return iter([self])

    def __len__(self):
        return 1

    def __bool__(self):
        return self.truth


class _Absent(_Sample):
    truth = False


@pytest.mark.parametrize(("where", "template"), instructions(), ids=[w for w, _ in instructions()])
def test_every_instruction_of_the_shipped_diagrams_reads_in_english(where, template, tmp_path):
    app = bare_app(tmp_path, FORMS, PROCESSES)
    texts = {SandboxedEnvironment(undefined=undefined).from_string(template).render()
             for undefined in ((_Sample, _Absent) if "{% if" in template else (_Sample,))}
    for text in (t for t in texts if HAN.search(t)):
        english = in_language(app, "en", i18n.step_name, text)
        assert not HAN.search(english), f"{where}: add the instruction to processes/i18n/en.json: {text}"


def test_an_instruction_listing_failed_rules_reads_in_english(tmp_path):
    app = bare_app(tmp_path, FORMS, PROCESSES)
    text = "租约 L-1 年审不再符合条件：家庭人均月收入超过收入线；家庭金融资产超过限额；请决定按市场租金续租或退出。"
    assert in_language(app, "en", i18n.step_name, text) == (
        "Lease L-1 no longer qualifies at the annual review: The household's monthly income per person is over "
        "the income limit; The household's financial assets are over the limit; Decide whether to renew at "
        "market rent or exit.")
