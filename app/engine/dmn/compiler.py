"""Compiles every expression and cell of a decision table, reporting each failure.

After :func:`compile_decision` every ``Input.compiled``, ``Entry.compiled`` (``None`` for a
cell that failed) and ``Output.priority_values`` is set. Each cell that could not be compiled
is an error :class:`~.errors.Problem` naming the cell's id and the rule's row, so the modeler
can point at it; a cell of a FEEL table that was read as Python is a warning, because a FEEL
typo can be valid Python (``<< 5``).
"""

from __future__ import annotations

from typing import Any

from . import feel_ast as ast
from .cells import Constant, ContextLookup, FeelTest, compile_expression, compile_test, language_of
from .errors import ERROR, WARNING, DmnError, Problem, quote
from .feel_eval import evaluate
from .feel_parser import parse_expression, parse_unary_tests
from .model import Boxed, Decision, DecisionTable, Entry, HitPolicy, Input, Knowledge, Language, Output, Rule


def compile_decision(decision: Decision) -> list[Problem]:
    """Attaches compiled forms to ``decision``'s logic; returns the problems found."""
    names = frozenset(decision.graph.names()) if decision.graph is not None else frozenset()
    if decision.table is not None:
        return _Compiler(decision.table, decision.filename, decision.name, names).run()
    problems: list[Problem] = []
    if decision.logic is not None:
        compile_boxed(decision.logic, names, decision.filename, f"decision '{decision.name}'", problems)
    return problems


def compile_knowledge(knowledge: Knowledge, names: frozenset[str], filename: str) -> list[Problem]:
    """Compiles a business knowledge model's function; returns the problems found."""
    problems: list[Problem] = []
    if knowledge.logic is not None:
        compile_boxed(knowledge.logic, names, filename, f"business knowledge model '{knowledge.name}'", problems)
    return problems


def compile_boxed(boxed: Boxed, names: frozenset[str], filename: str, where: str, problems: list[Problem]) -> None:
    """Compiles a boxed expression; ``names`` are those in scope (with spaces or not)."""
    if boxed.kind == "literal":
        try:
            language = language_of(boxed.expression_language)
            if language is not Language.FEEL:
                raise DmnError("only FEEL literal expressions are supported outside decision tables")
            boxed.compiled = parse_expression(boxed.text or "null", names) if (boxed.text or "").strip() \
                else ast.Literal(None)
        except DmnError as err:
            problems.append(Problem(filename, boxed.id or None, f"{where}: {err}"))
    elif boxed.kind == "invocation":
        try:
            boxed.compiled = parse_expression(boxed.text or "", names)
        except DmnError as err:
            problems.append(Problem(filename, boxed.id or None, f"{where}, invoked function: {err}"))
        for name, inner in boxed.entries:
            compile_boxed(inner, names, filename, f"{where}, binding {name!r}", problems)
    elif boxed.kind in ("context", "list"):
        scope = set(names)
        for name, inner in boxed.entries:
            label = f"{where}, entry {name!r}" if name else f"{where}, result" if boxed.kind == "context" \
                else f"{where}, item"
            compile_boxed(inner, frozenset(scope | ({name} if name else set())), filename, label, problems)
            if name:
                scope.add(name)
    elif boxed.kind == "relation":
        for row in boxed.rows:
            for column, cell in zip(boxed.columns, row, strict=False):
                compile_boxed(cell, names, filename, f"{where}, column {column!r}", problems)
    elif boxed.kind == "function":
        if boxed.body is not None:
            compile_boxed(boxed.body, names | frozenset(boxed.params), filename, f"{where}, body", problems)
    elif boxed.kind == "table" and boxed.table is not None:
        problems.extend(_Compiler(boxed.table, filename, where, names).run())


class _Compiler:
    def __init__(self, table: DecisionTable, filename: str, name: str, names: frozenset[str] = frozenset()):
        self.filename = filename
        self.name = name
        self.names = names
        self.table: DecisionTable = table
        self.problems: list[Problem] = []

    def report(self, element_id: str | None, where: str, message: str, severity: str = ERROR) -> None:
        prefix = self.name if self.name.startswith(("decision '", "business knowledge")) else f"decision '{self.name}'"
        self.problems.append(Problem(self.filename, element_id, f"{prefix}, {where}: {message}", severity))

    def run(self) -> list[Problem]:
        try:
            language_of(self.table.expression_language)
        except DmnError as err:  # once for the table, not once per cell
            self.report(self.table.id, "decision table", str(err))
            return self.problems
        for column in self.table.inputs:
            self.compile_input(column)
        for column in self.table.outputs:
            self.compile_output_values(column)
        if self.table.hit_policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER) and not any(
                column.priority_values for column in self.table.outputs):
            self.report(self.table.id, f"hit policy {self.table.hit_policy.value}",
                        "needs output values (outputValues) on an output to rank rules by")
        for rule in self.table.rules:
            self.compile_rule(rule)
        return self.problems

    def compile(self, compile_text, text: str | None, language_uri: str | None, element_id: str, where: str):
        """Compiles one text; reports a failure (and returns None) or a Python fallback."""
        try:
            language = language_of(language_uri)
            compiled = compile_text(text, language, self.names)
        except DmnError as err:
            self.report(element_id, where, str(err))
            return None
        if compiled.language is not language:
            reason = getattr(compiled, "feel_error", None)
            self.report(element_id, where, f"read as a Python expression, not FEEL ({reason}); "
                        "set expressionLanguage to Python if that is meant", WARNING)
        return compiled

    def compile_input(self, column: Input) -> None:
        where = f"input '{column.title}'"
        if column.expression and column.expression.strip():
            compiled = self.compile(compile_expression, column.expression, column.expression_language,
                                    column.expression_id or column.id, where)
            column.compiled = compiled or Constant(None)
        elif column.label.strip():  # SpiffWorkflow's fallback: the variable named by the label
            column.compiled = ContextLookup(column.label.strip())
        else:
            column.compiled = Constant(None)
            self.report(column.id, where, "the input has neither an expression nor a label")
        if column.input_values:
            try:
                compile_test(column.input_values, Language.FEEL)
            except DmnError as err:
                self.report(column.id, f"{where}, input values", str(err))

    def compile_output_values(self, column: Output) -> None:
        if not column.output_values or not column.output_values.strip():
            return
        try:
            column.priority_values = literal_values(column.output_values)
        except DmnError as err:
            self.report(column.id, f"output '{column.key}', output values", str(err))

    def compile_rule(self, rule: Rule) -> None:
        for entry, column in zip(rule.input_entries, self.table.inputs, strict=False):
            where = f"rule {rule.row_number} ({rule.id}), input '{column.title}'"
            entry.compiled = self.compile(compile_test, entry.text, entry.expression_language, entry.id,
                                          where)
            entry.language = entry.compiled.language if entry.compiled else None
            self.check_unquoted_strings(entry, column, where)
        for entry, output in zip(rule.output_entries, self.table.outputs, strict=False):
            where = f"rule {rule.row_number} ({rule.id}), output '{output.key}'"
            entry.compiled = self.compile(compile_expression, entry.text, entry.expression_language, entry.id,
                                          where)
            entry.language = entry.compiled.language if entry.compiled else None

    def check_unquoted_strings(self, entry: Entry, column: Input, where: str) -> None:
        """Warns about ``single`` in a string column: FEEL reads it as a variable (null when
        missing, so it matches only a missing input), where ``"single"`` was meant."""
        if not isinstance(entry.compiled, FeelTest) or (column.type_ref or "").lower() != "string":
            return
        names = [test.expression.name for test in entry.compiled.tests.tests
                 if isinstance(test, ast.ExpressionTest) and isinstance(test.expression, ast.Name)]
        if names:
            self.report(entry.id, where, f"{names[0]} is read as a variable name; "
                        f'write "{names[0]}" (in double quotes) for the text', WARNING)


def literal_values(text: str) -> list[Any]:
    """The values listed in an ``outputValues`` cell such as ``"high","medium","low"``."""
    tests = parse_unary_tests(text)
    if tests.negated or tests.is_any:
        raise DmnError(f"expected a list of values, not {quote(text)}")
    values = []
    for test in tests.tests:
        if not isinstance(test, ast.ExpressionTest) or _has_names(test.expression):
            raise DmnError(f"expected a list of literal values, not {quote(text)}")
        values.append(evaluate(test.expression, {}))
    return values


def _has_names(node: ast.Node) -> bool:
    return isinstance(node, ast.Name | ast.InputRef) or any(_has_names(c) for c in ast.children(node))
