"""服务指南: conditions, documents, steps and deadlines read from what is deployed.

Nothing here is typed in twice. The income lines and the other thresholds are the outputs of the
newest deployed versions of the eligibility decisions (``<type>_income_line`` evaluated for each
household size, ``<type>_standards`` for the housing type); the steps, their deadlines in working
days and the documents come from the newest deployed application process: a user task's
``dueInWorkingDays`` property, or the ``<step>_days`` policy parameter its due-date expression
uses (set by the process's first script), and the ``required_documents`` that script lists.
Deploy a new version and the guide follows on the next request.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache

from app.db import db
from app.engine.dmn import DmnError, evaluate_decision, parse_decisions
from app.services import definition_service
from app.services.errors import DefinitionNotFound

HOUSING_TYPES = {"gongzufang": "公租房", "baozufang": "保租房"}
#: household sizes the income table shows (the last row reads "… and more")
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
#: standards outputs that are scoring weights, not entry conditions
_SCORING = re.compile(r"^score_")
_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
       "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
_DAYS = re.compile(r"\b(\w+_days)\b")


@dataclass
class Step:
    """One step the public sees: its name and deadline in working days (``None``: no fixed deadline)."""

    id: str
    name: str
    days: int | None = None
    days_max: int | None = None


@dataclass
class Guide:
    """Everything the 服务指南 page shows for one housing type, with the versions it was read from."""

    housing_type: str
    housing_type_name: str
    income_lines: list[dict] = field(default_factory=list)
    standards: list[dict] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    conditional_documents: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    parameters: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    #: the same, as people read them: (the diagram's or table's name, version)
    source_names: list[tuple[str, int]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def guide(housing_type: str) -> Guide:
    """The guide of ``gongzufang`` or ``baozufang`` from the newest deployed versions."""
    if housing_type not in HOUSING_TYPES:
        raise DefinitionNotFound(f"没有住房类型 {housing_type} 的服务指南")
    out = Guide(housing_type, HOUSING_TYPES[housing_type])
    with db.session() as session:
        for key, reader in ((f"{housing_type}_income_line", _income_lines), (f"{housing_type}_standards", _standards),
                            (f"{housing_type}_application", _process)):
            kind = "process" if key.endswith("_application") else "decision"
            try:
                definition = definition_service.latest(session, key, kind)
            except DefinitionNotFound:
                if key.endswith("_income_line"):
                    continue  # a housing type without an income line (保租房) simply has none
                out.missing.append(key)
                continue
            content = bytes(definition.file.content)
            reader(out, key, definition.content_hash, content, definition.file.file_name)
            out.sources.append(f"{key} v{definition.version}")
            out.source_names.append((definition.name or key, definition.version))
    return out


def _income_lines(out: Guide, key: str, digest: str, content: bytes, file_name: str) -> None:
    decision = _decisions(digest, content, file_name).get(key)
    if decision is None:
        out.missing.append(key)
        return
    for size in HOUSEHOLD_SIZES:
        try:
            result = evaluate_decision(decision, {"facts": {"household_size": size}})
        except DmnError:
            continue
        value = next(iter(result.outputs.values()), None) if result.outputs else None
        if value is not None:
            out.income_lines.append({"size": size, "line": value, "and_more": size == HOUSEHOLD_SIZES[-1]})


def _standards(out: Guide, key: str, digest: str, content: bytes, file_name: str) -> None:
    decision = _decisions(digest, content, file_name).get(key)
    if decision is None:
        out.missing.append(key)
        return
    try:
        outputs = evaluate_decision(decision, {"housing_type": out.housing_type}).outputs
    except DmnError:
        out.missing.append(key)
        return
    for column in decision.table.outputs if decision.table is not None else []:  # a literal decision: none
        if column.name in outputs and outputs[column.name] is not None and not _SCORING.match(column.name):
            out.standards.append({"name": column.name, "label": column.label or column.name,
                                  "value": outputs[column.name]})


@lru_cache(maxsize=32)
def _decisions(_digest: str, content: bytes, file_name: str) -> dict:
    """A deployed DMN file parsed once per content hash (a version never changes)."""
    return parse_decisions(content, file_name)


def _process(out: Guide, key: str, digest: str, content: bytes, file_name: str) -> None:
    steps, parameters, documents, conditional = _read_process(digest, content, key)
    out.steps, out.parameters = list(steps), dict(parameters)
    out.documents, out.conditional_documents = list(documents), list(conditional)


@lru_cache(maxsize=32)
def _read_process(_digest: str, content: bytes, key: str):
    root = ET.fromstring(content)
    process = next((p for p in root.iterfind("bpmn:process", _NS) if p.get("id") == key), None)
    if process is None:
        return (), (), (), ()
    parameters: dict[str, int] = {}
    documents: list[str] = []
    conditional: list[str] = []
    for script in process.iterfind("bpmn:scriptTask/bpmn:script", _NS):
        _read_script(script.text or "", parameters, documents, conditional)
    steps = []
    for element in process:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag not in ("userTask", "callActivity"):
            continue
        props = {p.get("name"): p.get("value") or ""
                 for p in element.iterfind("bpmn:extensionElements/spiff:properties/spiff:property", _NS)}
        if "applicant" in (props.get("candidateGroups") or "").split(","):
            continue  # the applicant's own tasks (补正, 签约) are not steps of the review
        step = Step(element.get("id") or "", element.get("name") or element.get("id") or "")
        _deadline(step, props, parameters, element.get("calledElement"))
        steps.append(step)
    return tuple(steps), tuple(parameters.items()), tuple(documents), tuple(conditional)


def _deadline(step: Step, props: dict, parameters: dict[str, int], called: str | None) -> None:
    if props.get("dueInWorkingDays", "").strip().isdigit():
        step.days = int(props["dueInWorkingDays"])
        return
    for name in (f"{step.id}_days", f"{called}_days" if called else ""):
        if name in parameters:
            step.days = parameters[name]
            return
    expression = props.get("dueDateExpression") or ""
    named = [parameters[n] for n in _DAYS.findall(expression) if n in parameters]
    numbers = named or [int(n) for n in re.findall(r"(?<![\w.])(\d{1,3})(?![\w.])", expression)]
    if numbers:
        step.days, step.days_max = min(numbers), max(numbers) if max(numbers) != min(numbers) else None


def _read_script(source: str, parameters: dict[str, int], documents: list[str], conditional: list[str]) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in tree.body:
        _read_statement(node, parameters, documents, conditional, top=True)


def _read_statement(node, parameters, documents, conditional, top: bool) -> None:
    if isinstance(node, ast.If):
        for child in node.body + node.orelse:
            _read_statement(child, parameters, documents, conditional, top=False)
        return
    if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return
    name, value = node.targets[0].id, node.value
    if top and name.endswith("_days") and isinstance(value, ast.Constant) and isinstance(value.value, int):
        parameters[name] = value.value
    elif name == "required_documents":
        kinds = _string_list(value)
        if top and isinstance(value, ast.List):
            documents[:] = kinds
        else:
            conditional.extend(k for k in kinds if k not in documents and k not in conditional)


def _string_list(node) -> list[str]:
    return [n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]
