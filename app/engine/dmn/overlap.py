"""A static check that the rules of a UNIQUE table cannot match the same facts.

Each input cell made only of literals (numbers, strings, booleans, ``null``; comparisons,
ranges, lists, ``not(...)`` of one type, ``-``) is turned into the set of values it accepts.
Two rules overlap when, for every input, their sets intersect; then some facts match both, and
UNIQUE would fail at run time — so an overlap found here is an error that blocks the deploy.
Any other cell (a name, ``?``, a function, Python) makes the pair undecidable, and it is skipped:
the check never reports a false overlap, but may miss one (evaluation still refuses it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from . import feel_ast as ast
from .cells import AnyTest, FeelTest
from .errors import ERROR, Problem
from .model import Decision, HitPolicy

INF = Decimal("Infinity")
MAX_REPORTS = 50

Interval = tuple[Decimal, bool, Decimal, bool]  # low, low closed, high, high closed


class Undecidable(Exception):
    """The cell is not made of literals only."""


@dataclass
class ValueSpace:
    """The values one cell accepts, by type."""

    numbers: list[Interval] = field(default_factory=list)
    strings: frozenset = frozenset()
    strings_negated: bool = False  # True: every string except ``strings``
    booleans: frozenset = frozenset()
    null: bool = False

    def intersects(self, other: ValueSpace) -> bool:
        """True when some value is in both spaces."""
        if (self.null and other.null) or (self.booleans & other.booleans):
            return True
        if any(_meet(a, b) for a in self.numbers for b in other.numbers):
            return True
        if self.strings_negated and other.strings_negated:
            return True
        if self.strings_negated or other.strings_negated:
            positive, negative = (other, self) if self.strings_negated else (self, other)
            return bool(positive.strings - negative.strings)
        return bool(self.strings & other.strings)


ANYTHING = ValueSpace([(-INF, False, INF, False)], frozenset(), True, frozenset({True, False}), True)


def find_overlaps(decision: Decision) -> list[Problem]:
    """Errors for pairs of rules of a UNIQUE table that some facts would both match."""
    table = decision.table
    if table is None or table.hit_policy is not HitPolicy.UNIQUE:
        return []
    spaces = [_rule_spaces(rule) for rule in table.rules]
    problems: list[Problem] = []
    for (first, a), (second, b) in combinations(zip(table.rules, spaces, strict=True), 2):
        if a is None or b is None or not all(x.intersects(y) for x, y in zip(a, b, strict=False)):
            continue
        problems.append(Problem(
            decision.filename, second.id,
            f"decision '{decision.name}' has hit policy UNIQUE but rules {first.label} and "
            f"{second.label} can match the same facts", ERROR))
        if len(problems) >= MAX_REPORTS:
            break
    return problems


def _rule_spaces(rule) -> list[ValueSpace] | None:
    try:
        return [cell_space(entry.compiled) for entry in rule.input_entries]
    except Undecidable:
        return None


def cell_space(compiled) -> ValueSpace:
    """The values a compiled input cell accepts; raises :class:`Undecidable`."""
    if isinstance(compiled, AnyTest):
        return ANYTHING
    if not isinstance(compiled, FeelTest):
        raise Undecidable
    tests = compiled.tests
    kinds = {_kind(test) for test in tests.tests} - {"null"}
    space = _union(_test_space(test) for test in tests.tests)
    space.null = _null_outcome(tests.tests) is True
    if not tests.negated:
        return space
    if len(kinds) > 1:
        return ValueSpace(null=_null_outcome(tests.tests) is False)
    return ValueSpace(
        numbers=_complement(space.numbers) if kinds == {"number"} else [],
        strings=space.strings, strings_negated=kinds == {"string"},
        booleans=frozenset({True, False}) - space.booleans if kinds == {"boolean"} else frozenset(),
        null=_null_outcome(tests.tests) is False,
    )


def _literal(node: ast.Node):
    if not isinstance(node, ast.Literal):
        raise Undecidable
    return node.value


def _kind(test: ast.Node) -> str:
    if isinstance(test, ast.RangeLiteral):
        return "number"
    if isinstance(test, ast.UnaryCompare):
        value = _literal(test.endpoint)
        if test.op not in ("=", "!=") and not isinstance(value, Decimal):
            raise Undecidable
    else:
        value = _literal(_test_expression(test))
    if value is None:
        return "null"
    for kind, types in (("boolean", bool), ("number", Decimal), ("string", str)):
        if isinstance(value, types):
            return kind
    raise Undecidable


def _test_expression(test: ast.Node) -> ast.Node:
    if not isinstance(test, ast.ExpressionTest) or test.uses_input:
        raise Undecidable
    return test.expression


def _test_space(test: ast.Node) -> ValueSpace:
    if isinstance(test, ast.RangeLiteral):
        low, high = _literal(test.start), _literal(test.end)
        if not isinstance(low, Decimal) or not isinstance(high, Decimal):
            raise Undecidable
        return ValueSpace([(low, test.start_closed, high, test.end_closed)])
    if isinstance(test, ast.UnaryCompare):
        value, op = _literal(test.endpoint), test.op
    else:
        value, op = _literal(_test_expression(test)), "="
    if isinstance(value, Decimal):
        return ValueSpace(_number_intervals(op, value))
    if isinstance(value, bool):
        return ValueSpace(booleans=frozenset({value if op == "=" else not value}))
    if value is None:
        if op == "!=":
            raise Undecidable
        return ValueSpace()  # the null part is worked out by _null_outcome
    return ValueSpace(strings=frozenset({value}), strings_negated=op == "!=")


def _number_intervals(op: str, n: Decimal) -> list[Interval]:
    return {
        "=": [(n, True, n, True)],
        "!=": [(-INF, False, n, False), (n, False, INF, False)],
        "<": [(-INF, False, n, False)],
        "<=": [(-INF, False, n, True)],
        ">": [(n, False, INF, False)],
        ">=": [(n, True, INF, False)],
    }[op]


def _null_outcome(tests) -> bool | None:
    """What the (positive) tests give for a null input: True, False or None."""
    outcome: bool | None = False
    for test in tests:
        if isinstance(test, ast.UnaryCompare):
            is_null = _literal(test.endpoint) is None
            result = None if test.op not in ("=", "!=") else is_null if test.op == "=" else not is_null
        elif isinstance(test, ast.RangeLiteral):
            result = None
        else:
            result = _literal(_test_expression(test)) is None
        if result is True:
            return True
        if result is None:
            outcome = None
    return outcome


def _union(spaces) -> ValueSpace:
    result = ValueSpace()
    for space in spaces:
        result.numbers += space.numbers
        result.booleans |= space.booleans
        if space.strings_negated:
            if result.strings_negated:
                result.strings &= space.strings
            else:
                result.strings, result.strings_negated = space.strings - result.strings, True
        elif result.strings_negated:
            result.strings -= space.strings
        else:
            result.strings |= space.strings
    return result


def _meet(a: Interval, b: Interval) -> bool:
    low, low_closed = max((a[0], a[1]), (b[0], b[1]), key=lambda end: (end[0], not end[1]))
    high, high_closed = min((a[2], a[3]), (b[2], b[3]), key=lambda end: (end[0], end[1]))
    return low < high or (low == high and low_closed and high_closed)


def _complement(intervals: list[Interval]) -> list[Interval]:
    """The numbers in none of ``intervals``."""
    gaps: list[Interval] = []
    reached, reached_covered = -INF, False  # everything below ``reached`` is covered
    for start, start_closed, end, end_closed in sorted(intervals, key=lambda i: (i[0], not i[1])):
        gap = (reached, not reached_covered and reached != -INF, start, not start_closed)
        if start > reached or (start == reached and not reached_covered and not start_closed):
            gaps.append(gap)
        if end > reached:
            reached, reached_covered = end, end_closed
        elif end == reached:
            reached_covered = reached_covered or end_closed
    if reached < INF:
        gaps.append((reached, not reached_covered and reached != -INF, INF, False))
    return [gap for gap in gaps if _meet(gap, gap)]
