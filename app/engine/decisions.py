"""Decision tables for business rule tasks: the FEEL-capable engine of :mod:`app.engine.dmn`.

The parser keeps every DMN file it is given (several decisions per file are allowed) and a
business rule task naming ``spiffworkflow:calledDecisionId`` gets a :class:`HostDecisionEngine`
for that decision. Results are made JSON-safe (dates become ISO strings) before they merge into
the task data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from app.engine.dmn import Decision, DecisionEngine, DmnEvaluationError, DmnValidationError, parse_decisions
from app.engine.dmn.drg import run_decision
from app.engine.dmn.engine import _task_exception
from app.engine.dmn.feel_values import to_plain
from app.engine.dmn.model import Language
from app.engine.sandbox import ScriptError, compile_check, to_json_value
from app.privacy import mask_tree


@dataclass
class DecisionRecord:
    """One evaluation, kept by the script engine until the step persists it."""

    decision_id: str
    bpmn_id: str
    facts: dict
    outputs: dict
    matched: list[dict]


class HostDecisionEngine(DecisionEngine):
    """SpiffWorkflow's ``dmnEngine`` interface over the FEEL engine, with JSON-safe results.

    Each evaluation is also recorded (facts read, outputs, matched rules) so a changed table
    can later be replayed on real past cases.
    """

    def result(self, task):
        script_engine = task.workflow.script_engine
        sandbox = getattr(script_engine, "sandbox", None)
        if not hasattr(sandbox, "decide"):  # a plain script engine: evaluate here
            return self._result_in_process(task, script_engine)
        try:  # FEEL and Python cells alike run in a bounded evaluator, one call per table
            decided = sandbox.decide(self.decision, task.data)
        except DmnEvaluationError as err:
            raise _task_exception(task, err) from err
        self._record(task, script_engine, decided["outputs"], [
            {"rule_id": rule_id, "row": row, "description": note} for rule_id, row, note in decided["matched"]])
        return decided["outputs"]

    def _result_in_process(self, task, script_engine):
        def python_eval(expression: str, context: dict):
            return script_engine.evaluate(task, expression, external_context=context)

        try:
            decided = run_decision(self.decision, task.data, python_eval)
        except DmnEvaluationError:
            return super().result(task)  # raises with SpiffWorkflow's error and the rule row
        outputs = to_json_value(to_plain(decided.outputs), "decision result")  # durations as ISO text
        self._record(task, script_engine, outputs, [
            {"rule_id": m.rule_id, "row": m.row, "description": m.description} for m in decided.matched])
        return outputs

    def _record(self, task, script_engine, outputs: dict, matched: list[dict]) -> None:
        record = getattr(script_engine, "record_decision", None)
        if record is not None:
            record(DecisionRecord(
                decision_id=self.decision_id, bpmn_id=task.task_spec.bpmn_id,
                facts=mask_tree(to_json_value(facts_read(self.decision, task.data), "facts")),
                outputs=outputs, matched=matched,
            ))


_NAME = re.compile(r"[^\W\d][\w]*")


def facts_read(decision, data: dict) -> dict:
    """The top-level data entries a decision reads: those its table's input expressions
    mention, or, for a decision with requirements or of another kind, the input data of its
    file (by name) and any entry a table of the file mentions."""
    graph = getattr(decision, "graph", None)
    if isinstance(decision, Decision) and decision.is_table_only or graph is None:
        table = decision.table if isinstance(decision, Decision) else decision
        assert table is not None  # a decision without a table has a graph
        names: set[str] = set()
        for column in table.inputs:
            names.update(_NAME.findall(column.expression or column.label or ""))
        return {k: v for k, v in data.items() if k in names}
    names = set(graph.inputs.values())
    for other in graph.decisions.values():
        if other.table is not None:
            names.update(k for k in facts_read(other.table, data))
    return {k: v for k, v in data.items() if k in names}


class DecisionSources:
    """The DMN files a parser was given, parsed once each, by decision id."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}
        self._file_of: dict[str, str] = {}
        self._parsed: dict[str, dict[str, Decision]] = {}

    def add(self, filename: str, xml: bytes, decision_ids: list[str]) -> None:
        self._files[filename] = xml
        for decision_id in decision_ids:
            self._file_of[decision_id] = filename

    def __contains__(self, decision_id: str) -> bool:
        return decision_id in self._file_of

    def ids(self) -> list[str]:
        return sorted(self._file_of)

    def decision(self, decision_id: str) -> Decision:
        """The parsed decision (raises ``DmnValidationError`` for a broken file)."""
        filename = self._file_of[decision_id]
        if filename not in self._parsed:
            self._parsed[filename] = parse_decisions(self._files[filename], filename)
        return self._parsed[filename][decision_id]


def engine_for(parser, decision_ref: str, node) -> HostDecisionEngine:
    """The engine evaluating decision ``decision_ref`` for a business rule task."""
    sources: DecisionSources = parser.decision_sources
    if decision_ref not in sources:
        raise ValidationException(
            f"no decision with id {decision_ref!r} is deployed or uploaded "
            f"(available: {', '.join(sources.ids()) or 'none'})",
            node=node, file_name=getattr(node, "base", "") or "")
    try:
        decision = sources.decision(decision_ref)
    except DmnValidationError as exc:
        first = exc.problems[0].message if exc.problems else str(exc)
        raise ValidationException(f"decision {decision_ref!r} is invalid: {first}", node=node) from None
    return HostDecisionEngine(decision)


def python_cell_problems(decision: Decision) -> list[tuple[str, str]]:
    """(cell id, message) for Python cells the sandbox would refuse, found before they run."""
    out: list[tuple[str, str]] = []
    if decision.table is None:
        return out
    for rule in decision.table.rules:
        for entry in rule.input_entries + rule.output_entries:
            if entry.language is not Language.PYTHON or not entry.text:
                continue
            text = entry.text.replace("?", "dmninputexpr")
            try:
                compile_check(text, "eval")
            except ScriptError as first:
                try:
                    compile_check(f"dmninputexpr {text}", "eval")
                except ScriptError:
                    out.append((entry.id, f"{rule.label}: {first}"))
    return out
