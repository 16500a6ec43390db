"""DMN decision tables with FEEL, for business rule tasks and for replaying facts.

SpiffWorkflow's own DMN reads only Python cells, one decision per file, and the UNIQUE (as
first match) and COLLECT hit policies. This package reads the tables policy staff draw in
dmn-js: FEEL unary tests and expressions, every hit policy and aggregation, several decisions
per file; tables written the SpiffWorkflow way (Python cells) keep working.

Integration surface
===================

``parse_decisions(xml: bytes | str, filename: str) -> dict[str, Decision]``
    The decisions of a DMN 1.1-1.5 file by decision id, every cell and boxed expression compiled. Raises
    ``DmnValidationError`` (``.problems``: list of ``Problem``) when the file has errors.

``validate_dmn(xml: bytes | str, filename: str) -> list[Problem]``
    For the deploy API: every problem, never raising for bad input. ``Problem`` has ``file``,
    ``element_id`` (the cell, rule, input, table or decision at fault), ``message`` (naming the
    decision and rule row), ``severity`` and ``line``; ``.as_dict()`` gives a JSON-ready dict.
    ``"error"`` blocks deployment (bad XML, a cell that is neither FEEL nor Python, an unknown
    hit policy, two rules of a UNIQUE table that certainly match the same facts...).
    ``"warning"`` does not: a cell of a FEEL table read as Python, an unquoted word in a string
    column.

``DecisionEngine(decision_or_table, python_eval=None)``
    ``.evaluate(context: dict) -> DecisionResult`` evaluates on a dict of facts.
    ``.result(task) -> dict`` is SpiffWorkflow's ``DMNEngine.result``: ``task.data`` is the
    context, Python cells go to ``task.workflow.script_engine.evaluate(task, expression,
    external_context=...)``, and failures are raised as
    ``SpiffWorkflow.bpmn.exceptions.WorkflowTaskException`` (or the script engine's own
    exception) with a note ``Rule failed on row N (rule id) of decision 'id'``.
    ``.decision_table`` is the table.

``evaluate_decision(decision, facts: dict, python_eval=None) -> DecisionResult``
    The same as ``DecisionEngine(decision, python_eval).evaluate(facts)``; needs no workflow.

``python_eval(expression: str, context: dict) -> Any``
    The host's sandboxed evaluator, given the facts plus the names a cell binds
    (``dmninputexpr``, the input value, as SpiffWorkflow names it). FEEL never goes through it.

``DecisionResult``
    ``.outputs``: single-hit policies (UNIQUE, FIRST, PRIORITY, ANY) give ``{output: value}``,
    ``{}`` when nothing matches; COLLECT, RULE ORDER, OUTPUT ORDER give ``{output: [values]}``;
    COLLECT with SUM/MIN/MAX/COUNT gives ``{output: number}`` (COUNT counts non-null values; SUM,
    MIN, MAX of no value are ``None``). Output names with dots build nested dicts. Values are
    plain Python (``int``/``float``, ``str``, ``bool``, ``None``, ``date``...).
    ``.matched``: list of ``MatchedRule(rule_id, row, description, outputs)``, the rules that
    made the result, in result order; ``description`` is the rule's annotation.
    ``.hit_policy``, ``.aggregation``, ``.decision_id``, ``.decision_name``, ``.as_dict()``.

Languages: a cell is Python where the ``expressionLanguage`` in force (cell, else table, else
file) names Python; otherwise FEEL, falling back to Python only when the text is not FEEL
but is Python (see :mod:`.cells`). FEEL is parsed and evaluated here, never by ``eval``;
what it covers is listed in :mod:`.feel_parser` and :mod:`.feel_builtins`.

Decision requirements graphs (:mod:`.drg`): a decision is evaluated after the decisions it
requires, with the file's input data (read from the facts by name) and business knowledge
models (FEEL functions) in scope; decisions may be tables or boxed expressions (literal,
context, list, relation, invocation, function definition). ``DecisionResult.outputs`` of a
decision that is not a table is ``{variable name: value}``.

Not implemented (refused at deploy with the element named): decision services, imports, the
DMN 1.4/1.5 boxed conditional/filter/iterators, Java and PMML functions. Not implemented
otherwise: ``today()``/``now()`` (deliberately); ``inputValues`` are checked
for syntax but not enforced, and ``typeRef`` is not checked.

Errors while evaluating are ``DmnEvaluationError`` (``rule_id``, ``row``, ``element_id``,
``note``); a broken hit policy (two UNIQUE rules match, ANY rules disagree) is its subclass
``HitPolicyViolation`` (``rules``: ``[(row, rule_id), ...]``).

The engine is not serialised by SpiffWorkflow's ``BusinessRuleTaskConverter`` (which expects
its own model): store the decision id with the process version and parse the DMN again.
"""

from .engine import DecisionEngine, DecisionResult, MatchedRule, evaluate_decision
from .errors import (
    DmnError,
    DmnEvaluationError,
    DmnValidationError,
    FeelError,
    FeelEvaluationError,
    FeelSyntaxError,
    HitPolicyViolation,
    Problem,
)
from .loader import parse_decisions, validate_dmn
from .model import Aggregation, Decision, DecisionTable, HitPolicy

__all__ = [
    "Aggregation",
    "Decision",
    "DecisionEngine",
    "DecisionResult",
    "DecisionTable",
    "DmnError",
    "DmnEvaluationError",
    "DmnValidationError",
    "FeelError",
    "FeelEvaluationError",
    "FeelSyntaxError",
    "HitPolicy",
    "HitPolicyViolation",
    "MatchedRule",
    "Problem",
    "evaluate_decision",
    "parse_decisions",
    "validate_dmn",
]
