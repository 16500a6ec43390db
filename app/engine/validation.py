"""Deploy-time validation: everything wrong with a set of BPMN/DMN files, each with its place.

A problem names the file, the element id and (where known) the line. Errors block a deploy;
warnings (a user task without a form, a lane without a role) are reported alongside. A lane
without a role is reported on the lane itself: one whose human tasks would go to a group no one
belongs to, or an empty one; a lane holding only automatic steps needs no role.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask, MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from app.engine.decisions import python_cell_problems
from app.engine.dmn import parse_decisions, validate_dmn
from app.engine.human_tasks import properties
from app.engine.operators import OperatorRegistry, UnknownOperatorError
from app.engine.param_types import literal_problem
from app.engine.parser import BPMN_NS, SPIFFWORKFLOW_NSMAP, VALIDATOR, Document, build_parser, split_groups
from app.engine.sandbox import ScriptError, compile_check
from app.engine.specs import AsyncServiceTask
from app.engine.start_roles import start_role_problems
from app.engine.startability import construct_problems, start_problems


@dataclass
class Problem:
    """One thing wrong with a file."""

    file: str
    element_id: str | None
    message: str
    line: int | None = None
    severity: str = "error"

    def as_dict(self) -> dict:
        return asdict(self)


def _from_validation(exc: ValidationException, default_file: str) -> Problem:
    line = getattr(exc, "line_number", None)
    return Problem(
        file=getattr(exc, "file_name", "") or default_file,
        element_id=getattr(exc, "id", None) or None,
        message=str(exc.args[0]) if exc.args else str(exc),
        line=int(line) if isinstance(line, int) or (isinstance(line, str) and line.isdigit()) else None,
    )


def validate_documents(
    uploaded: list[Document],
    deployed: Iterable[Document],
    registry: OperatorRegistry,
    forms_dir: str,
    known_groups: Iterable[str] = (),
) -> list[Problem]:
    """Every problem of ``uploaded``; ``deployed`` supply processes/decisions they may call.

    ``known_groups`` are the roles and candidate groups users have: a lane named after one of
    them needs no ``candidateGroups`` of its own.
    """
    problems: list[Problem] = []
    for doc in uploaded:
        if doc.kind == "bpmn":
            problems.extend(schema_problems(doc) or reference_problems(doc) + [
                Problem(doc.file_name, element_id, message, line)
                for element_id, message, line in construct_problems(doc.root)])
            continue
        problems.extend(decision_problems(doc))
    if problems:
        return problems
    known = set(known_groups)
    for doc in uploaded:
        if doc.kind == "bpmn":
            problems.extend(lane_problems(doc, known))
            problems.extend(Problem(doc.file_name, element_id, message, line, severity)
                            for element_id, message, line, severity in start_role_problems(doc, known))

    uploaded_names = {d.file_name for d in uploaded}
    documents = list(uploaded) + [d for d in deployed if d.file_name not in uploaded_names]
    try:
        parser = build_parser(documents, validate=False)
    except Exception as exc:  # any parser failure is the files' problem, never a 500
        return [_from_validation(exc, uploaded[0].file_name) if isinstance(exc, ValidationException)
                else Problem(uploaded[0].file_name, None, f"{type(exc).__name__}: {exc}")]
    for doc in uploaded:
        if doc.kind == "dmn":
            continue
        for process_id, _name, executable in doc.processes:
            if not executable:
                continue
            try:
                spec = parser.get_spec(process_id)
                subprocess_specs = parser.get_subprocess_specs(process_id)
                problems.extend(Problem(doc.file_name, element_id, message)
                                for element_id, message in start_problems(parser, spec, subprocess_specs))
            except ValidationException as exc:
                problems.append(_from_validation(exc, doc.file_name))
                continue
            except Exception as exc:  # any parser failure is the file's problem, never a 500
                problems.append(Problem(doc.file_name, process_id, f"{type(exc).__name__}: {exc}"))
                continue
            problems.extend(check_spec(spec, doc.file_name, registry, forms_dir))
            for sub in subprocess_specs.values():
                if sub.file == doc.file_name:
                    problems.extend(check_spec(sub, doc.file_name, registry, forms_dir))
    return _dedupe(problems)


def schema_problems(doc: Document) -> list[Problem]:
    """Every BPMN + spiffworkflow XSD violation of a document (not only the first)."""
    VALIDATOR.preprocess(doc.root)
    if VALIDATOR.validator.validate(doc.root):
        return []
    at_line: dict[int, object] = {}
    for el in doc.root.iter():
        if isinstance(el.tag, str):
            at_line.setdefault(el.sourceline, el)
    out = []
    for error in VALIDATOR.validator.error_log:
        out.append(Problem(doc.file_name, _bpmn_owner_id(at_line.get(error.line)), error.message, error.line))
    return out


def reference_problems(doc: Document) -> list[Problem]:
    """Incoming/outgoing entries naming sequence flows that do not exist."""
    flows = {f.get("id") for f in doc.root.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    out = []
    for tag in ("incoming", "outgoing"):
        for ref in doc.root.iter(f"{{{BPMN_NS}}}{tag}"):
            if (ref.text or "").strip() not in flows:
                owner = ref.getparent()
                out.append(Problem(doc.file_name, owner.get("id"),
                                   f"{tag} sequence flow {ref.text!r} does not exist", ref.sourceline))
    return out


def _bpmn_owner_id(element) -> str | None:
    """The id of the nearest BPMN element enclosing ``element`` (extensions carry other ids)."""
    while element is not None:
        if element.get("id") and etree.QName(element).namespace == BPMN_NS:
            return element.get("id")
        element = element.getparent()
    return None


_HUMAN_TASKS = (f"{{{BPMN_NS}}}userTask", f"{{{BPMN_NS}}}manualTask")
_GROUP_PROPERTIES = ("candidateGroups", "candidateGroupsExpression", "assigneeExpression")


def _spiff_properties(element) -> dict[str, str]:
    return {p.get("name"): p.get("value") or "" for p in element.xpath(
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property",
        namespaces={"bpmn": BPMN_NS, **SPIFFWORKFLOW_NSMAP})}


def lane_problems(doc: Document, known_groups: set[str]) -> list[Problem]:
    """Lanes without a role, each reported on the lane.

    A lane has a role when it declares ``candidateGroups`` or is named after a known group (the
    engine then uses its name as the group). Without one, its user tasks that name no group of
    their own reach nobody; an empty lane is flagged too. A lane of automatic steps only (the
    usual 系统 lane) is not: nobody works in it.
    """
    elements = {el.get("id"): el for el in doc.root.iter() if isinstance(el.tag, str) and el.get("id")}
    out = []
    for lane in doc.root.iter(f"{{{BPMN_NS}}}lane"):
        name = (lane.get("name") or "").strip()
        if split_groups(_spiff_properties(lane).get("candidateGroups")) or (name and name in known_groups):
            continue
        if lane.find(f"{{{BPMN_NS}}}childLaneSet") is not None:
            continue  # its tasks take their roles from the lanes inside it
        refs = [(r.text or "").strip() for r in lane.findall(f"{{{BPMN_NS}}}flowNodeRef")]
        human = [ref for ref in refs if ref in elements and elements[ref].tag in _HUMAN_TASKS
                 and not any(_spiff_properties(elements[ref]).get(k) for k in _GROUP_PROPERTIES)]
        label = name or lane.get("id")
        if human:
            message = (f"lane {label!r} has no role (candidateGroups) and no group is named {label!r}: "
                       f"nobody can work its task(s) {', '.join(human)}")
        elif not refs:
            message = f"lane {label!r} has no role (candidateGroups) and no elements"
        else:
            continue
        out.append(Problem(doc.file_name, lane.get("id"), message, lane.sourceline, "warning"))
    return out


def decision_problems(doc: Document) -> list[Problem]:
    """Every problem of a DMN file: XML, FEEL and Python cells, hit policies, overlaps."""
    out = [Problem(p.file or doc.file_name, p.element_id, p.message, p.line, p.severity)
           for p in validate_dmn(doc.content, doc.file_name)]
    if any(p.severity == "error" for p in out):
        return out
    for decision in parse_decisions(doc.content, doc.file_name).values():
        out.extend(Problem(doc.file_name, cell, message) for cell, message in python_cell_problems(decision))
    return out


def check_spec(spec, file_name: str, registry: OperatorRegistry, forms_dir: str) -> list[Problem]:
    """Semantic checks on one parsed process spec."""
    out: list[Problem] = []

    def add(element_id, message, severity="error"):
        out.append(Problem(file_name, element_id, message, severity=severity))

    def expr(element_id, source, what, mode="eval"):
        if not source:
            return
        try:
            compile_check(source, mode)
        except ScriptError as exc:
            add(element_id, f"{what}: {exc}")

    for ts in spec.task_specs.values():
        bpmn_id = getattr(ts, "bpmn_id", None)
        if bpmn_id is None:
            continue
        if isinstance(ts, AsyncServiceTask):
            out.extend(_check_operator(ts, file_name, registry))
        if isinstance(ts, ScriptTask):
            expr(bpmn_id, ts.script, "script", "exec")
        for attr, what in (("prescript", "pre-script"), ("postscript", "post-script")):
            expr(bpmn_id, getattr(ts, attr, None), what, "exec")
        for condition, _target in getattr(ts, "cond_task_specs", []) or []:
            if condition is not None and getattr(condition, "args", None):
                expr(bpmn_id, condition.args[0], "condition")
        if isinstance(ts, CatchingEvent) and isinstance(ts.event_definition, TimerEventDefinition):
            expr(bpmn_id, ts.event_definition.expression, "timer expression")
        if isinstance(ts, MultiInstanceTask):
            expr(bpmn_id, getattr(ts, "condition", None), "completion condition")
            cardinality = getattr(ts, "cardinality", None)
            expr(bpmn_id, cardinality if isinstance(cardinality, str) else None, "cardinality")
        elif isinstance(ts, LoopTask):
            expr(bpmn_id, getattr(ts, "condition", None), "loop condition")
        if isinstance(ts, UserTask) and not isinstance(ts, MultiInstanceTask):
            out.extend(_check_user_task(ts, file_name, forms_dir))
    return out


def _check_operator(ts: AsyncServiceTask, file_name: str, registry: OperatorRegistry) -> list[Problem]:
    out = []
    try:
        op = registry.get(ts.operation_name)
    except UnknownOperatorError:
        return [Problem(file_name, ts.bpmn_id, f"unknown operator {ts.operation_name!r}")]
    given = set(ts.operation_params)
    missing = [p for p in op.required_params() if p not in given]
    if missing:
        out.append(Problem(file_name, ts.bpmn_id,
                           f"operator {op.name} needs parameter(s) {', '.join(missing)}"))
    declared = op.declared_params()
    if declared is not None:
        for name in sorted(given - set(declared)):
            out.append(Problem(file_name, ts.bpmn_id, f"operator {op.name} has no parameter {name!r}"))
    types = (op.describe()["parameters"] or {}).get("properties") or {}
    for name, param in ts.operation_params.items():
        try:
            compile_check(param.get("value") or "", "eval")
        except ScriptError as exc:
            out.append(Problem(file_name, ts.bpmn_id, f"parameter {name}: {exc}"))
            continue
        problem = literal_problem(param.get("value") or "", types.get(name) or {})
        if problem:
            out.append(Problem(file_name, ts.bpmn_id, f"parameter {name} {problem}"))
    return out


def _check_user_task(ts, file_name: str, forms_dir: str) -> list[Problem]:
    out = []
    props = properties(ts)
    for key in ("formJsonSchemaFilename", "formUiSchemaFilename"):
        form = props.get(key)
        if form and not (Path(forms_dir) / form).is_file():
            out.append(Problem(file_name, ts.bpmn_id, f"form file {form!r} not found in forms/"))
    if not props.get("formJsonSchemaFilename"):
        out.append(Problem(file_name, ts.bpmn_id, "user task has no form (formJsonSchemaFilename)",
                           severity="warning"))
    for key in ("candidateGroupsExpression", "assigneeExpression", "dueDateExpression",
                "formJsonSchemaFilenameExpression", "formUiSchemaFilenameExpression"):
        if props.get(key):
            try:
                compile_check(props[key], "eval")
            except ScriptError as exc:
                out.append(Problem(file_name, ts.bpmn_id, f"{key}: {exc}"))
    if props.get("dueInWorkingDays") and not str(props["dueInWorkingDays"]).isdigit():
        out.append(Problem(file_name, ts.bpmn_id, "dueInWorkingDays must be a whole number"))
    return out


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.element_id, p.message, p.severity)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
