"""Evaluates FEEL syntax trees against a context of facts.

No Python ``eval`` is involved: each node type has a small function here. FEEL's null
semantics hold throughout: a missing variable or entry is ``None``, arithmetic with ``None`` or
with operands of the wrong types is ``None``, ordering comparisons with ``None`` are ``None``,
and a unary test that comes out ``None`` does not match.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from decimal import Decimal
from typing import Any, cast

from . import feel_ast as ast
from .errors import FeelEvaluationError
from .feel_builtins import BUILTINS
from .feel_values import (
    FeelFunction,
    Range,
    YearsMonths,
    all_true,
    any_true,
    decimal_or_none,
    feel_compare,
    feel_equal,
    kind,
    to_decimal,
    to_int,
)

INPUT = "?"
#: The most list items one evaluation may walk through in filters and ``for``/``some``/``every``
#: (nested ones together), function calls and the items of lists built by built-in functions
#: count too: a guard against a cell that would run for hours, not a feature.
MAX_ITERATIONS = 100_000
#: Nested calls of FEEL functions (a knowledge model calling itself) before evaluation stops.
MAX_CALL_DEPTH = 60
BUDGET = "\0budget"  # a scope entry no FEEL name can spell


class Budget:
    """What one evaluation may still spend; a decision and its requirements share one."""

    __slots__ = ("depth", "left")

    def __init__(self) -> None:
        self.left = MAX_ITERATIONS
        self.depth = 0

    def spend(self, items: int) -> None:
        self.left -= items
        if self.left < 0:
            raise FeelEvaluationError(f"more than {MAX_ITERATIONS} list items or calls to walk through")


def spend(scope: Mapping[str, Any], items: int) -> None:
    """Charges ``items`` to the evaluation's budget (the built-ins charge the lists they build)."""
    budget = scope.get(BUDGET)
    if budget is not None:
        budget.spend(items)


_spend = spend
Scope = ChainMap


def _with_budget(context: Mapping[str, Any] | None, names: dict) -> ChainMap:
    context = context if context is not None else {}
    if BUDGET not in context:
        names[BUDGET] = Budget()
    return ChainMap(names, cast(MutableMapping[str, Any], context))  # read, never written


def evaluate(node: ast.Node, context: Mapping[str, Any] | None = None) -> Any:
    """The value of a FEEL expression tree given the variables in ``context`` (not copied)."""
    return _eval(node, _with_budget(context, {}))


def test(tests: ast.UnaryTests, value: Any, context: Mapping[str, Any] | None = None) -> bool:
    """Whether ``value`` passes the unary tests of an input cell (``?`` is bound to it)."""
    if tests.is_any:
        return True
    scope = _with_budget(context, {INPUT: value})
    return _unary_tests(tests, value, scope) is True


def _unary_tests(tests: ast.UnaryTests, value: Any, scope: Scope) -> bool | None:
    outcome: bool | None = False
    for positive in tests.tests:
        result = _positive_test(positive, value, scope)
        if result is True:
            outcome = True
            break
        if result is None:
            outcome = None
    if tests.negated:
        return None if outcome is None else not outcome
    return outcome


def _positive_test(node: ast.Node, value: Any, scope: Scope) -> bool | None:
    if isinstance(node, ast.UnaryCompare):
        return feel_compare(node.op, value, _eval(node.endpoint, scope))
    if isinstance(node, ast.RangeLiteral):
        return _eval(node, scope).contains(value)
    assert isinstance(node, ast.ExpressionTest)
    target = _eval(node.expression, scope)
    if node.uses_input:
        return target if isinstance(target, bool) else None
    if isinstance(target, Range):
        return target.contains(value)
    if isinstance(target, list) and kind(value) != "list":
        return any_true(feel_equal(value, item) for item in target)
    equal = feel_equal(value, target)
    if equal is not True and isinstance(target, bool) and kind(value) != "boolean" \
            and not isinstance(node.expression, ast.Literal):
        return target  # a boolean expression written without '?', e.g. ``age >= 18``
    return equal


# -- expressions ---------------------------------------------------------------------------
def _eval(node: ast.Node, scope: Scope) -> Any:
    return _HANDLERS[type(node)](node, scope)


def _literal(node: ast.Literal, scope: Scope) -> Any:
    return node.value


def _name(node: ast.Name, scope: Scope) -> Any:
    return scope.get(node.name)


def _input_ref(node: ast.InputRef, scope: Scope) -> Any:
    return scope.get(INPUT)


_TEMPORAL_PARTS = {
    "date": ("year", "month", "day"),
    "datetime": ("year", "month", "day", "hour", "minute", "second"),
    "time": ("hour", "minute", "second"),
}


def _path(node: ast.Path, scope: Scope) -> Any:
    return _member(_eval(node.target, scope), node.name)


def _member(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(name)
    if isinstance(value, list | tuple):
        return [_member(item, name) for item in value]
    value_kind = kind(value)
    if name in _TEMPORAL_PARTS.get(value_kind, ()):
        return Decimal(getattr(value, name))
    if name == "weekday" and value_kind in ("date", "datetime"):
        return Decimal(value.isoweekday())
    if value_kind == "duration" and name in ("days", "hours", "minutes", "seconds"):
        total = abs(value)
        parts = {"days": total.days, "hours": total.seconds // 3600, "minutes": total.seconds // 60 % 60,
                 "seconds": total.seconds % 60}
        return Decimal(parts[name]) * (-1 if value < dt.timedelta(0) else 1)
    if value_kind == "ymduration" and name in ("years", "months"):
        return Decimal(value.years if name == "years" else value.months - value.years * 12)
    if value_kind == "datetime" and name in ("timezone", "time offset") and value.tzinfo is not None:
        return str(value.tzinfo) if name == "timezone" else value.utcoffset()
    return None


def _filter(node: ast.Filter, scope: Scope) -> Any:
    target = _eval(node.target, scope)
    if target is None:
        return None
    items = list(target) if isinstance(target, list | tuple) else [target]
    _spend(scope, len(items))
    results: list[Any] = []
    for item in items:
        names = dict(item) if isinstance(item, Mapping) else {}
        names["item"] = item
        result = _eval(node.condition, scope.new_child(names))
        if to_decimal(result) is not None and not results:  # ``list[1]``, ``list[-1]``: an index
            position = to_int(result)
            if not position or abs(position) > len(items):
                return None
            return items[position - 1] if position > 0 else items[position]
        results.append(result is True)
    return [item for item, kept in zip(items, results, strict=True) if kept]


def _call(node: ast.Call, scope: Scope) -> Any:
    function = BUILTINS[node.function][0]
    args = [_eval(arg, scope) for arg in node.args]
    if node.function in FUNCTION_ARGUMENT_BUILTINS:
        args = [_callable(arg, scope) if isinstance(arg, FeelFunction) else arg for arg in args]
    result = function(*args)
    if isinstance(result, list):
        spend(scope, len(result))
    elif isinstance(result, str) and len(result) > MAX_STRING:
        raise FeelEvaluationError(f"'{node.function}' would make a text of more than {MAX_STRING:,} characters")
    return result


#: Built-ins that take a FEEL function as an argument (``sort(list, precedes)``).
FUNCTION_ARGUMENT_BUILTINS = {"sort"}
#: The longest text a built-in may build (``string join``, ``replace``...).
MAX_STRING = 1_000_000


def _callable(function: FeelFunction, scope: Scope):
    return lambda *args: function.call(list(args), {})


def _invoke(node: ast.Invoke, scope: Scope) -> Any:
    function = _eval(node.function, scope)
    if not isinstance(function, FeelFunction):
        return None
    args = [_eval(arg, scope) for arg in node.args]
    named = {name: _eval(arg, scope) for name, arg in node.named}
    return function.call(args, named)


def make_function(name: str, params: tuple[str, ...], body: Callable[[Scope], Any], closure: Scope) -> FeelFunction:
    """A FEEL function value: ``body(scope)`` runs with the parameters bound in a child of
    ``closure``. Missing arguments are null; too many make the call null, as FEEL says."""
    budget = closure.get(BUDGET)

    def call(args: list, named: dict) -> Any:
        if len(args) > len(params) or any(key not in params for key in named):
            return None
        bound = dict(zip(params, args, strict=False))
        bound.update(named)
        if budget is not None:
            budget.spend(1)
            budget.depth += 1
        try:
            if budget is not None and budget.depth > MAX_CALL_DEPTH:
                raise FeelEvaluationError(f"function '{name}' calls itself more than {MAX_CALL_DEPTH} levels deep")
            return body(closure.new_child({param: bound.get(param) for param in params}))
        finally:
            if budget is not None:
                budget.depth -= 1
    return FeelFunction(name, params, call)


def _function(node: ast.FunctionDef, scope: Scope) -> Any:
    return make_function("anonymous", node.params, lambda inner: _eval(node.body, inner), scope)


def _context(node: ast.Context, scope: Scope) -> Any:
    entries: dict[str, Any] = {}
    inner = scope.new_child(entries)  # each entry sees the ones before it (a function, itself)
    for key, value in node.entries:
        entries[key] = _eval(value, inner)
    return dict(entries)


_TYPE_KINDS = {
    "number": {"number"}, "string": {"string"}, "boolean": {"boolean"}, "date": {"date"},
    "time": {"time"}, "date and time": {"datetime"}, "dateTime": {"datetime"},
    "days and time duration": {"duration"}, "dayTimeDuration": {"duration"},
    "years and months duration": {"ymduration"}, "yearMonthDuration": {"ymduration"},
    "duration": {"duration", "ymduration"}, "list": {"list"}, "context": {"context"},
    "function": {"function"}, "range": {"range"},
}


def instance_of(value: Any, type_name: str) -> bool:
    """Whether ``value`` is of the FEEL type ``type_name`` (``Any``, ``Null``, ``list<T>``...)."""
    if type_name == "Any":
        return value is not None
    if type_name == "Null":
        return value is None
    if type_name.startswith("list<") and type_name.endswith(">"):
        return isinstance(value, list | tuple) and all(instance_of(item, type_name[5:-1]) for item in value)
    generic = type_name.split("<", 1)[0]
    return kind(value) in _TYPE_KINDS.get(generic, ())


def _instance_of(node: ast.InstanceOf, scope: Scope) -> Any:
    return instance_of(_eval(node.value, scope), node.type_name)


def _negate(node: ast.Negate, scope: Scope) -> Any:
    value = _eval(node.operand, scope)
    if isinstance(value, dt.timedelta | YearsMonths):
        return -value
    number = to_decimal(value)
    return None if number is None else -number


def _arithmetic(node: ast.Arithmetic, scope: Scope) -> Any:
    return arithmetic(node.op, _eval(node.left, scope), _eval(node.right, scope))


_NUMBER_OPS: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a ** b,
}


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """``left op right`` for numbers, strings (``+``), dates and durations; else null."""
    if left is None or right is None:
        return None
    a, b = to_decimal(left), to_decimal(right)
    if a is not None and b is not None:
        return decimal_or_none(_NUMBER_OPS[op], a, b)
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        return left + right
    return _temporal_arithmetic(op, left, right)


def _temporal_arithmetic(op: str, left: Any, right: Any) -> Any:
    kinds = (kind(left), kind(right))
    if "ymduration" in kinds:
        return _months_arithmetic(op, left, right, kinds)
    if op in ("*", "/") and kinds in (("duration", "number"), ("number", "duration")):
        try:  # duration * number, duration / number
            delta, factor = (left, to_decimal(right)) if kinds[0] == "duration" else (right, to_decimal(left))
            if factor is None:
                return None
            seconds = Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / 1_000_000
            scaled = seconds * factor if op == "*" else (seconds / factor if kinds[0] == "duration" else None)
            return None if scaled is None else dt.timedelta(seconds=float(scaled))
        except (ArithmeticError, OverflowError, ValueError):
            return None
    if op == "/" and kinds == ("duration", "duration") and right:
        return decimal_or_none(lambda: Decimal(left / dt.timedelta(microseconds=1))
                               / Decimal(right / dt.timedelta(microseconds=1)))
    try:
        if op == "+" and "duration" in kinds and kinds != ("duration", "duration"):
            return left + right if kinds[1] == "duration" else right + left
        if op in ("+", "-") and kinds == ("duration", "duration"):
            return left + right if op == "+" else left - right
        if op == "-" and kinds[1] == "duration" and kinds[0] in ("date", "datetime"):
            return left - right
        if op == "-" and kinds[0] == kinds[1] and kinds[0] in ("date", "datetime"):
            return left - right
    except (TypeError, OverflowError):
        return None
    return None


def _months_arithmetic(op: str, left: Any, right: Any, kinds: tuple[str, str]) -> Any:
    """Arithmetic with years-and-months durations: with each other, with dates, by numbers."""
    try:
        if kinds == ("ymduration", "ymduration"):
            if op in ("+", "-"):
                return left + right if op == "+" else left - right
            if op == "/" and right.months:
                return Decimal(left.months) / Decimal(right.months)
            return None
        if op == "+" and kinds[0] in ("date", "datetime") or kinds[1] in ("date", "datetime") and op == "+":
            return left + right
        if op == "-" and kinds[0] in ("date", "datetime"):
            return left + (-right)
        if op in ("*", "/") and "number" in kinds:
            months, factor = (left, to_decimal(right)) if kinds[0] == "ymduration" else (right, to_decimal(left))
            if factor is None or op == "/" and (kinds[0] != "ymduration" or not factor):
                return None
            value = Decimal(months.months) * factor if op == "*" else Decimal(months.months) / factor
            return YearsMonths(int(value.to_integral_value()))
    except (TypeError, OverflowError, ArithmeticError, ValueError):
        return None
    return None


def _comparison(node: ast.Comparison, scope: Scope) -> Any:
    return feel_compare(node.op, _eval(node.left, scope), _eval(node.right, scope))


def _logical(node: ast.Logical, scope: Scope) -> Any:
    left = _eval(node.left, scope)
    decisive = node.op == "or"  # ``true or x`` is true, ``false and x`` is false
    if left is decisive:
        return decisive
    right = _eval(node.right, scope)
    if right is decisive:
        return decisive
    if isinstance(left, bool) and isinstance(right, bool):
        return not decisive
    return None


def _if(node: ast.If, scope: Scope) -> Any:
    return _eval(node.then if _eval(node.condition, scope) is True else node.otherwise, scope)


def _between(node: ast.Between, scope: Scope) -> Any:
    value = _eval(node.value, scope)
    return Range(_eval(node.low, scope), _eval(node.high, scope)).contains(value)


def _in(node: ast.In, scope: Scope) -> Any:
    value = _eval(node.value, scope)
    return _unary_tests(node.tests, value, scope.new_child({INPUT: value}))


def _list(node: ast.ListLiteral, scope: Scope) -> Any:
    return [_eval(item, scope) for item in node.items]


def _range(node: ast.RangeLiteral, scope: Scope) -> Range:
    return Range(_eval(node.start, scope), _eval(node.end, scope), node.start_closed, node.end_closed)


def _iterations(bindings, scope: Scope):
    """Every combination of the bound lists, as scopes; None if a domain is not a list."""
    names = [name for name, _ in bindings]
    domains = [_eval(domain, scope) for _, domain in bindings]
    domains = [_integers(domain, scope) if isinstance(domain, Range) else domain for domain in domains]
    if any(not isinstance(domain, list | tuple) for domain in domains):
        return None
    _spend(scope, math.prod(len(domain) for domain in domains))
    return [scope.new_child(dict(zip(names, combo, strict=True))) for combo in itertools.product(*domains)]


def _integers(domain: Range, scope: Scope) -> list | None:
    """The integers of ``for i in a..b`` (downwards when ``a > b``), charged to the budget
    before they are made."""
    start, end = to_int(domain.start), to_int(domain.end)
    if start is None or end is None:
        return None
    _spend(scope, abs(end - start) + 1)
    step = 1 if end >= start else -1
    return [Decimal(i) for i in range(start, end + step, step)]


def _quantified(node: ast.Quantified, scope: Scope) -> Any:
    scopes = _iterations(node.bindings, scope)
    if scopes is None:
        return None
    results = (_eval(node.condition, inner) for inner in scopes)
    return any_true(results) if node.kind == "some" else all_true(results)


def _for(node: ast.For, scope: Scope) -> Any:
    scopes = _iterations(node.bindings, scope)
    return None if scopes is None else [_eval(node.body, inner) for inner in scopes]


_HANDLERS: dict[type, Callable[[Any, Scope], Any]] = {
    ast.Literal: _literal,
    ast.Name: _name,
    ast.InputRef: _input_ref,
    ast.Path: _path,
    ast.Filter: _filter,
    ast.Call: _call,
    ast.Negate: _negate,
    ast.Arithmetic: _arithmetic,
    ast.Comparison: _comparison,
    ast.Logical: _logical,
    ast.If: _if,
    ast.Between: _between,
    ast.In: _in,
    ast.ListLiteral: _list,
    ast.RangeLiteral: _range,
    ast.Quantified: _quantified,
    ast.For: _for,
    ast.Invoke: _invoke,
    ast.FunctionDef: _function,
    ast.Context: _context,
    ast.InstanceOf: _instance_of,
}
