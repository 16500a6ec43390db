"""Evaluates a decision with its requirements: the decision requirements graph of one file.

:func:`run_decision` evaluates the decisions ``decision`` requires (transitively, each once,
required before requiring), putting each value in scope under the decision's variable name,
next to the facts (input data are read from the facts by their names) and the file's business
knowledge models (FEEL functions, callable by name). Then it evaluates ``decision`` itself.

A decision's value is what DMN says: a literal expression's value; a context's (or its result
entry's); a decision table's single output value, or the context of its outputs (lists of them
for multi-hit policies). The top decision's result keeps the shape business rule tasks already
merge into their data: a table's outputs dict, else ``{variable name: value}``.

All of it shares one :class:`~.feel_eval.Budget` (list items, calls, call depth): a graph of
decisions is bounded as one cell is.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from typing import Any

from . import feel_eval
from .cells import CellEnv, PythonEval
from .engine import DecisionResult, run_table
from .errors import DmnError, DmnEvaluationError
from .feel_values import FeelFunction, to_plain
from .model import Boxed, Decision, DecisionTable, Knowledge


def run_decision(decision: Decision | DecisionTable, facts: Mapping[str, Any],
                 python_eval: PythonEval | None = None) -> DecisionResult:
    """Evaluates ``decision`` on ``facts`` after the decisions it requires.

    ``python_eval(expression, context)`` evaluates Python cells of tables, as for
    :func:`~.engine.evaluate_decision`.
    """
    if isinstance(decision, DecisionTable):
        return run_table(decision, _env(facts, python_eval))
    if decision.is_table_only:
        return run_table(decision.table, _env(facts, python_eval))  # type: ignore[arg-type]
    return _Run(decision, facts, python_eval).result()


def _env(context: Mapping[str, Any], python_eval: PythonEval | None) -> CellEnv:
    if python_eval is None:
        return CellEnv(context)
    return CellEnv(context, lambda expression, names: python_eval(expression, {**_plain(context), **names}))


def _plain(context: Mapping[str, Any]) -> dict:
    """The names a Python cell may see: no budget, no function values."""
    return {k: v for k, v in context.items()
            if not k.startswith("\0") and not isinstance(v, FeelFunction)}


class _Run:
    def __init__(self, top: Decision, facts: Mapping[str, Any], python_eval: PythonEval | None):
        self.top = top
        self.graph = top.graph
        self.python_eval = python_eval
        self.values: dict[str, Any] = {feel_eval.BUDGET: feel_eval.Budget()}
        self.scope: ChainMap = ChainMap(self.values, dict(facts))
        self.done: set[str] = set()

    def result(self) -> DecisionResult:
        if self.graph is not None:
            for knowledge in self.graph.knowledge.values():
                self.values[knowledge.name] = self.knowledge_function(knowledge)
        for required in self.order(self.top):
            decision = self.graph.decisions[required] if self.graph else None
            if decision is not None:
                self.values[decision.variable] = self.value_of(decision)
        top = self.top
        if top.table is not None:
            return run_table(top.table, _env(self.scope, self.python_eval))
        value = self.evaluate_logic(top, top.logic)
        return DecisionResult(decision_id=top.id, decision_name=top.name, hit_policy="", aggregation=None,
                              outputs={top.variable: to_plain(value)}, matched=[])

    def order(self, decision: Decision) -> list[str]:
        """The ids of the decisions ``decision`` requires, required ones first (no cycles:
        the reader refuses them)."""
        out: list[str] = []
        seen: set[str] = set()

        def visit(current: Decision) -> None:
            for required in current.required_decisions:
                if required in seen or self.graph is None or required not in self.graph.decisions:
                    continue
                seen.add(required)
                visit(self.graph.decisions[required])
                out.append(required)
        visit(decision)
        return out

    def value_of(self, decision: Decision) -> Any:
        """A required decision's value (see the module docstring)."""
        if decision.table is not None:
            return table_value(decision.table, run_table(decision.table, _env(self.scope, self.python_eval)))
        return self.evaluate_logic(decision, decision.logic)

    def evaluate_logic(self, decision: Decision, logic: Boxed | None) -> Any:
        try:
            return evaluate_boxed(logic, self.scope, self.python_eval) if logic is not None else None
        except DmnEvaluationError:
            raise
        except DmnError as err:
            raise DmnEvaluationError(f"decision '{decision.name}': {err}", decision_id=decision.id,
                                     element_id=logic.id if logic is not None else None,
                                     cell=f"decision '{decision.name}'") from err

    def knowledge_function(self, knowledge: Knowledge) -> FeelFunction | None:
        logic = knowledge.logic
        if logic is None or logic.kind != "function":
            return None
        body = logic.body
        python_eval = self.python_eval

        def run(inner: ChainMap) -> Any:
            return evaluate_boxed(body, inner, python_eval) if body is not None else None
        return feel_eval.make_function(knowledge.name, tuple(logic.params), run, self.scope)


def table_value(table: DecisionTable, result: DecisionResult) -> Any:
    """A decision table's value for the decisions that require it: the single output's value,
    or the context of all outputs."""
    if len(table.outputs) == 1:
        return result.outputs.get(table.outputs[0].key.split(".")[0])
    return result.outputs or None


def evaluate_boxed(boxed: Boxed, scope: ChainMap, python_eval: PythonEval | None = None) -> Any:
    """The value of a boxed expression in ``scope`` (which carries the evaluation's budget)."""
    if boxed.kind == "literal":
        return feel_eval.evaluate(boxed.compiled, scope)
    if boxed.kind == "context":
        entries: dict[str, Any] = {}
        inner = scope.new_child(entries)
        for name, expression in boxed.entries:
            value = evaluate_boxed(expression, inner, python_eval)
            if name is None:
                return value  # the result entry
            entries[name] = value
        return dict(entries)
    if boxed.kind == "list":
        feel_eval.spend(scope, len(boxed.entries))
        return [evaluate_boxed(item, scope, python_eval) for _, item in boxed.entries]
    if boxed.kind == "relation":
        feel_eval.spend(scope, len(boxed.rows) * max(len(boxed.columns), 1))
        return [{column: evaluate_boxed(cell, scope, python_eval)
                 for column, cell in zip(boxed.columns, row, strict=False)} for row in boxed.rows]
    if boxed.kind == "function":
        body = boxed.body

        def run(inner: ChainMap) -> Any:
            return evaluate_boxed(body, inner, python_eval) if body is not None else None
        return feel_eval.make_function("function", tuple(boxed.params), run, scope)
    if boxed.kind == "invocation":
        function = feel_eval.evaluate(boxed.compiled, scope)
        if not isinstance(function, FeelFunction):
            raise DmnError(f"{(boxed.text or '').strip()!r} is not a function that can be invoked")
        named = {name: evaluate_boxed(value, scope, python_eval) for name, value in boxed.entries}
        return function.call([], named)
    if boxed.kind == "table" and boxed.table is not None:
        return table_value(boxed.table, run_table(boxed.table, _env(scope, python_eval)))
    raise DmnError(f"cannot evaluate a {boxed.kind}")

