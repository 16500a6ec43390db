"""Evaluates a decision table against facts: from a plain dict, or from a SpiffWorkflow task.

:class:`DecisionEngine` is a drop-in for SpiffWorkflow's ``DMNEngine`` in a business rule task
(its :meth:`~DecisionEngine.result` takes the task), and also evaluates a plain dict of facts
(:meth:`~DecisionEngine.evaluate`), which the policy-impact preview uses to replay past cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .cells import AnyTest, CellEnv, PythonEval
from .errors import DmnError, DmnEvaluationError, quote
from .feel_values import coerce_input
from .hit_policy import Hit, check_unique, combine, rule_outputs, select
from .model import Decision, DecisionTable, Entry, HitPolicy, Rule


@dataclass(frozen=True)
class MatchedRule:
    """A rule that made the result: its id, 1-based row, annotation and outputs."""

    rule_id: str
    row: int
    description: str
    outputs: dict[str, Any]

    def as_dict(self) -> dict:
        """A JSON-ready dict, e.g. for an eligibility screen's 'reason' column."""
        return asdict(self)


@dataclass
class DecisionResult:
    """What a decision gave: ``outputs`` (the dict a task's data is merged with) and the rules
    that made it (``matched``, in result order: one for FIRST/UNIQUE/PRIORITY, every agreeing
    rule for ANY, every contributing rule for the multi-hit policies)."""

    decision_id: str
    decision_name: str
    hit_policy: str
    aggregation: str | None
    outputs: dict[str, Any]
    matched: list[MatchedRule] = field(default_factory=list)

    @property
    def matched_rule_ids(self) -> list[str]:
        """The ids of the matched rules, in result order."""
        return [rule.rule_id for rule in self.matched]

    @property
    def matched_rows(self) -> list[int]:
        """The 1-based row numbers of the matched rules, in result order."""
        return [rule.row for rule in self.matched]

    def as_dict(self) -> dict:
        """A JSON-ready dict of the whole result."""
        return asdict(self)


class DecisionEngine:
    """Evaluates one decision table.

    ``decision_or_table`` is a :class:`~.model.Decision` (from :func:`parse_decisions`) or its
    :class:`~.model.DecisionTable`. ``python_eval(expression, context) -> value`` evaluates the
    Python cells (the host's sandbox); without it a Python cell fails with a clear error.
    """

    def __init__(self, decision_or_table: Decision | DecisionTable, python_eval: PythonEval | None = None):
        table = decision_or_table.table if isinstance(decision_or_table, Decision) else decision_or_table
        #: the decision table, or None for a decision of another kind (a literal expression...)
        self.decision_table = table
        #: what is evaluated: the decision (with its requirements) or the bare table
        self.decision: Decision | DecisionTable = decision_or_table
        self.python_eval = python_eval

    @property
    def decision_id(self) -> str:
        """The id of the decision evaluated."""
        return self.decision.id if isinstance(self.decision, Decision) else self.decision.decision_id

    def evaluate(self, context: Mapping[str, Any]) -> DecisionResult:
        """Evaluates the decision (after the decisions it requires) on a dict of facts; raises
        :class:`DmnEvaluationError` (:class:`HitPolicyViolation` for hit-policy breaches)."""
        from .drg import run_decision

        return run_decision(self.decision, context, self.python_eval)

    def result(self, task) -> dict:
        """SpiffWorkflow's ``DMNEngine.result``: the outputs for ``task.data``; Python cells go
        to ``task.workflow.script_engine``. Failures are ``WorkflowTaskException`` with a note
        naming the rule row."""
        from .drg import run_decision

        script_engine = task.workflow.script_engine

        def python_eval(expression: str, names: dict) -> Any:
            return script_engine.evaluate(task, expression, external_context=names)

        try:
            return run_decision(self.decision, task.data, python_eval).outputs
        except DmnEvaluationError as err:
            failure = err
        wrapped = _task_exception(task, failure)
        if wrapped is failure.__cause__:
            raise wrapped  # the script engine's own exception, with its original context
        raise wrapped from failure


def evaluate_decision(decision: Decision | DecisionTable, facts: Mapping[str, Any],
                      python_eval: PythonEval | None = None) -> DecisionResult:
    """Evaluates ``decision`` on a plain dict of facts (no workflow needed)."""
    return DecisionEngine(decision, python_eval).evaluate(facts)


def run_table(table: DecisionTable, env: CellEnv) -> DecisionResult:
    """Matches every rule, applies the hit policy and builds the result."""
    inputs = _Inputs(table, env)
    hits: list[Hit] = []
    for rule in table.rules:
        if _rule_matches(table, rule, inputs, env):
            hits.append(Hit(rule))
            if table.hit_policy is HitPolicy.FIRST:
                break
    check_unique(table, hits)  # before any output is evaluated
    for hit in hits:
        hit.values = [_output_value(table, hit.rule, entry, env) for entry in hit.rule.output_entries]
    selected = select(table, hits)
    return DecisionResult(
        decision_id=table.decision_id,
        decision_name=table.decision_name,
        hit_policy=table.hit_policy.value,
        aggregation=table.aggregation.value if table.aggregation else None,
        outputs=combine(table, selected),
        matched=[MatchedRule(hit.rule.id, hit.rule.row_number, hit.rule.description,
                             rule_outputs(table, hit)) for hit in selected],
    )


class _Inputs:
    """Input values, each evaluated once and only when a cell tests it."""

    def __init__(self, table: DecisionTable, env: CellEnv):
        self.table = table
        self.env = env
        self.values: dict[int, Any] = {}

    def get(self, index: int) -> Any:
        if index not in self.values:
            column = self.table.inputs[index]
            value = column.compiled.evaluate(self.env)
            self.values[index] = coerce_input(value, column.type_ref)
        return self.values[index]


def _rule_matches(table: DecisionTable, rule: Rule, inputs: _Inputs, env: CellEnv) -> bool:
    for index, entry in enumerate(rule.input_entries):
        if isinstance(entry.compiled, AnyTest):
            continue  # '-': the input is not even evaluated, as in SpiffWorkflow
        column = table.inputs[index]
        try:
            value = inputs.get(index)
        except Exception as err:  # the input expression failed (FEEL, or the host's evaluator)
            what = f"input '{column.title}' expression {quote((column.expression or column.label).strip())}"
            raise _located(table, rule, column.expression_id or column.id, what, err) from err
        try:
            if not _compiled(entry).matches(value, env):
                return False
        except Exception as err:  # the cell's own failure, or the host evaluator's
            what = f"input '{column.title}' cell {quote((entry.text or '').strip())}"
            raise _located(table, rule, entry.id, what, err) from err
    return True


def _compiled(entry: Entry):
    if entry.compiled is None:
        raise DmnError("the cell did not compile (see the file's problems)")
    return entry.compiled


def _output_value(table: DecisionTable, rule: Rule, entry: Entry, env: CellEnv) -> Any:
    try:
        return _compiled(entry).evaluate(env)
    except Exception as err:
        what = f"output cell {quote((entry.text or '').strip())}"
        raise _located(table, rule, entry.id, what, err) from err


def _located(table: DecisionTable, rule: Rule, element_id: str, what: str,
             err: Exception) -> DmnEvaluationError:
    reason = err.message if isinstance(err, DmnEvaluationError) else str(err) or type(err).__name__
    return DmnEvaluationError(
        f"decision '{table.decision_name or table.decision_id}', rule {rule.row_number} ({rule.id}), "
        f"{what}: {reason}",
        decision_id=table.decision_id, rule_id=rule.id, row=rule.row_number, element_id=element_id, cell=what,
    )


def _task_exception(task, err: DmnEvaluationError):
    """The SpiffWorkflow exception for a failure inside a business rule task."""
    cause = err.__cause__
    if isinstance(cause, SpiffWorkflowException):  # the script engine's own, with its details
        cause.add_note(err.note)
        return cause
    wrapped = WorkflowTaskException(err.message, task=task, exception=cause or err)
    wrapped.add_note(err.note)
    return wrapped
