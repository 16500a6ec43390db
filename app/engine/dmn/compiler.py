"""Compiles every expression and cell of a decision table, reporting each failure.

After :func:`compile_decision` every ``Input.compiled``, ``Entry.compiled`` and
``Output.priority_values`` is set, and each cell that could not be compiled is one
:class:`~.errors.Problem` naming the cell's id and the rule's row, so the modeler can point at it.
"""

from __future__ import annotations

from typing import Any

from . import feel_ast as ast
from .cells import AnyTest, ContextLookup, compile_expression, compile_test, language_of
from .errors import DmnError, Problem
from .feel_eval import evaluate
from .feel_parser import parse_unary_tests
from .model import Decision, DecisionTable, HitPolicy, Input, Language, Output


def compile_decision(decision: Decision) -> list[Problem]:
    """Attaches compiled forms to ``decision``'s table; returns the problems found."""
    return _Compiler(decision).run()


class _Compiler:
    def __init__(self, decision: Decision):
        self.decision = decision
        self.table: DecisionTable = decision.table
        self.problems: list[Problem] = []

    def report(self, element_id: str | None, where: str, err: Exception) -> None:
        message = f"decision '{self.decision.name}', {where}: {err}"
        self.problems.append(Problem(self.decision.filename, element_id, message))

    def run(self) -> list[Problem]:
        for column in self.table.inputs:
            self.compile_input(column)
        for column in self.table.outputs:
            self.compile_output_values(column)
        if self.table.hit_policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER) and not any(
                column.priority_values for column in self.table.outputs):
            self.report(self.table.id, f"hit policy {self.table.hit_policy.value}",
                        DmnError("needs output values (outputValues) on an output to rank rules by"))
        for rule in self.table.rules:
            self.compile_rule(rule)
        return self.problems

    def compile_input(self, column: Input) -> None:
        where = f"input '{column.title}'"
        try:
            language = language_of(column.expression_language)
            if column.expression and column.expression.strip():
                column.compiled = compile_expression(column.expression, language)
            else:  # SpiffWorkflow's fallback: the variable named by the label
                column.compiled = ContextLookup(column.label.strip())
                if not column.label.strip():
                    raise DmnError("the input has neither an expression nor a label")
        except DmnError as err:
            column.compiled = ContextLookup("")
            self.report(column.expression_id or column.id, where, err)
        if column.input_values:
            try:
                compile_test(column.input_values, Language.FEEL)
            except DmnError as err:
                self.report(column.id, f"{where}, input values", err)

    def compile_output_values(self, column: Output) -> None:
        if not column.output_values or not column.output_values.strip():
            return
        try:
            column.priority_values = literal_values(column.output_values)
        except DmnError as err:
            self.report(column.id, f"output '{column.key}', output values", err)

    def compile_rule(self, rule) -> None:
        for entry, column in zip(rule.input_entries, self.table.inputs, strict=False):
            try:
                entry.compiled = compile_test(entry.text, language_of(entry.expression_language))
                entry.language = entry.compiled.language
            except DmnError as err:
                entry.compiled = AnyTest()
                self.report(entry.id, f"rule {rule.row_number} ({rule.id}), input '{column.title}'", err)
        for entry, output in zip(rule.output_entries, self.table.outputs, strict=False):
            try:
                entry.compiled = compile_expression(entry.text, language_of(entry.expression_language))
                entry.language = entry.compiled.language
            except DmnError as err:
                self.report(entry.id, f"rule {rule.row_number} ({rule.id}), output '{output.key}'", err)


def literal_values(text: str) -> list[Any]:
    """The values listed in an ``outputValues`` cell such as ``"high","medium","low"``."""
    tests = parse_unary_tests(text)
    if tests.negated or tests.is_any:
        raise DmnError(f"expected a list of values, not {text!r}")
    values = []
    for test in tests.tests:
        if not isinstance(test, ast.ExpressionTest) or _has_names(test.expression):
            raise DmnError(f"expected a list of literal values, not {text!r}")
        values.append(evaluate(test.expression, {}))
    return values


def _has_names(node: ast.Node) -> bool:
    return isinstance(node, ast.Name | ast.InputRef) or any(_has_names(c) for c in ast.children(node))
