"""The syntax tree of FEEL expressions and unary tests.

Nodes are immutable; :mod:`.feel_eval` walks them. ``InputRef`` is the ``?`` of a unary test,
bound to the value of the input column.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


class Node:
    """Base class of all FEEL syntax nodes."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number (Decimal), string, boolean, ``null`` or temporal value."""

    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A variable; a missing one is ``null``."""

    name: str


@dataclass(frozen=True, slots=True)
class InputRef(Node):
    """``?``: the input value inside a unary test."""


@dataclass(frozen=True, slots=True)
class Path(Node):
    """``target.name``: a context entry (or that entry of every item of a list)."""

    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Filter(Node):
    """``target[condition]``: an item by 1-based (negative from the end) index, or the items
    for which the boolean condition holds (``item`` and the item's entries in scope)."""

    target: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A call of a built-in function, resolved when parsed."""

    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Negate(Node):
    """Arithmetic negation ``-x``."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """``left op right``; the subclass says which family ``op`` belongs to."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Binary):
    """``+ - * / **``."""


@dataclass(frozen=True, slots=True)
class Comparison(Binary):
    """``= != < <= > >=``."""


@dataclass(frozen=True, slots=True)
class Logical(Binary):
    """``and`` / ``or`` with FEEL's three-valued logic."""


@dataclass(frozen=True, slots=True)
class If(Node):
    """``if c then a else b`` (a non-true condition takes the else branch)."""

    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    """``x between low and high`` (both ends included)."""

    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    """``[a, b, c]``."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class RangeLiteral(Node):
    """``[a..b]``, ``(a..b]``, ``]a..b[`` and so on."""

    start: Node
    end: Node
    start_closed: bool
    end_closed: bool


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    """``some/every x in list satisfies condition``."""

    kind: str
    bindings: tuple[tuple[str, Node], ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class For(Node):
    """``for x in list return expression``."""

    bindings: tuple[tuple[str, Node], ...]
    body: Node


@dataclass(frozen=True, slots=True)
class UnaryCompare(Node):
    """A unary test that compares the input: ``< 5``, ``>= limit``, ``!= "x"``."""

    op: str
    endpoint: Node


@dataclass(frozen=True, slots=True)
class ExpressionTest(Node):
    """A unary test given as an expression: the input equals it, is in it (list, range), or,
    when the expression uses ``?`` (or is a boolean expression), the expression is true."""

    expression: Node
    uses_input: bool


@dataclass(frozen=True, slots=True)
class UnaryTests(Node):
    """A whole input cell: ``-`` (``tests`` empty), a list of tests (any may match), or
    ``not(...)`` of such a list."""

    tests: tuple[Node, ...]
    negated: bool = False

    @property
    def is_any(self) -> bool:
        """True for ``-`` / an empty cell."""
        return not self.tests and not self.negated


@dataclass(frozen=True, slots=True)
class In(Node):
    """``x in <unary tests>``."""

    value: Node
    tests: UnaryTests


def children(node: Node):
    """Yields the direct child nodes of ``node``."""
    for spec in fields(node):
        value = getattr(node, spec.name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Node):
                    yield item
                elif isinstance(item, tuple):  # (name, node) bindings
                    yield from (part for part in item if isinstance(part, Node))


def uses_input(node: Node) -> bool:
    """True when ``?`` occurs anywhere in ``node``."""
    return isinstance(node, InputRef) or any(uses_input(child) for child in children(node))


@dataclass(frozen=True, slots=True)
class Context(Node):
    """``{a: 1, "b c": a + 1}``: entries in order, each seeing the ones before it."""

    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class FunctionDef(Node):
    """``function(a, b) a + b``: a function value closing over the scope it is made in."""

    params: tuple[str, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Invoke(Node):
    """A call of a function value found by name (a business knowledge model, a parameter, a
    context entry): ``Loan Payment(rate, term)`` or with named arguments ``f(a: 1)``."""

    function: Node
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] = ()


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    """``value instance of type``; ``type_name`` is a FEEL type such as ``number``,
    ``date and time``, ``list<number>`` or ``Any``."""

    value: Node
    type_name: str
