"""Which expressions and scripts are provably cheap enough to run in the calling process.

Most gateway conditions and parameter values are a name, a literal, a comparison or a sum
(``eligible == True``, ``size``, ``supplement_count + 1``, ``sum(m["income"] for m in members)``).
Sending each of them to an evaluator process would cost more than evaluating it, and they
cannot run long or allocate much: with no calls but a few linear builtins (:data:`CHEAP_CALLS`,
one argument), at most one comprehension over a collection in the data (no arithmetic or call
per item), and no loops, lambdas, string formatting or repetition, the work is linear in the
length of the source times the size of the data it reads, and both are bounded (the source by
:data:`MAX_SOURCE`, the data by the instance data limit). The sandbox's clock still ticks on
every item a comprehension walks.

Decision tables whose every cell is such FEEL (literals, names, comparisons, ranges, lists,
``+``/``-``; no function calls, filters or ``for``/``some``/``every``) are cheap too; that is how
the tables in ``processes/`` are written.

Everything else goes to the bounded evaluator (:mod:`app.engine.bounded.pool`).
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import fields
from functools import lru_cache

#: Longer sources are never treated as cheap.
MAX_SOURCE = 2_000
#: Larger decision tables are never treated as cheap.
MAX_TABLE_RULES = 1_000
#: Calls allowed on the fast path, with one positional argument: at most linear in its size.
CHEAP_CALLS = frozenset({"len", "bool", "sum", "min", "max", "any", "all", "abs"})
_COMPREHENSIONS = (ast.GeneratorExp, ast.ListComp, ast.SetComp)

_NODES = (
    ast.Expression, ast.Module, ast.Expr, ast.Assign, ast.Pass, ast.If,
    ast.Name, ast.Load, ast.Store, ast.Constant, ast.Subscript, ast.Slice,
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.IfExp,
    ast.List, ast.Tuple, ast.Dict, ast.Set,
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
    ast.Add, ast.Sub, ast.Div,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
    ast.comprehension, *_COMPREHENSIONS,
)


def _data_ref(node: ast.AST) -> bool:
    """``members`` or ``household["members"]``: a collection already in the data."""
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and _data_ref(node.value)
    return isinstance(node, ast.Name)


def _comprehension_cheap(node: ast.GeneratorExp | ast.ListComp | ast.SetComp) -> bool:
    """One ``for`` over a collection in the data, with no arithmetic, call or inner loop per
    item: time and memory linear in the data (``sum(m["income"] for m in members)``)."""
    if len(node.generators) != 1:
        return False
    gen = node.generators[0]
    if gen.is_async or not _data_ref(gen.iter):
        return False
    if not all(isinstance(n, (ast.Name, ast.Tuple, ast.Store)) for n in ast.walk(gen.target)):
        return False
    return not any(isinstance(sub, (ast.BinOp, ast.Call, *_COMPREHENSIONS))
                   for part in (node.elt, *gen.ifs) for sub in ast.walk(part))


def _cheap_node(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        return (isinstance(node.func, ast.Name) and node.func.id in CHEAP_CALLS and not node.keywords
                and len(node.args) == 1 and not isinstance(node.args[0], ast.Starred))
    if isinstance(node, ast.Name):
        return not node.id.startswith("_")
    if isinstance(node, ast.Assign):
        return all(isinstance(t, ast.Name) for t in node.targets)
    if isinstance(node, ast.Constant):
        # big int literals make ``+`` and comparisons cost more than their text suggests
        return not isinstance(node.value, int) or abs(node.value).bit_length() <= 64
    return isinstance(node, _NODES)


@lru_cache(maxsize=4096)
def is_cheap(source: str, mode: str) -> bool:
    """True if ``source`` (``"eval"`` or ``"exec"``) may run in-process without a limit."""
    if len(source) > MAX_SOURCE:
        return False
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False  # the evaluator reports the error
    loops = 0
    for node in ast.walk(tree):
        if not _cheap_node(node):
            return False
        if isinstance(node, _COMPREHENSIONS):
            loops += 1
            if loops > 1 or not _comprehension_cheap(node):
                return False
    return True


def uses_shadowed_call(source: str, names) -> bool:
    """True if a cheap call's name is also a data name (``len`` would not be the builtin)."""
    return any(name in names for name in CHEAP_CALLS if name in source)


def _feel_node_cheap(node) -> bool:
    from app.engine.dmn import feel_ast as f

    if isinstance(node, f.Arithmetic):
        if node.op not in ("+", "-"):
            return False
    elif not isinstance(node, (f.Literal, f.Name, f.InputRef, f.Path, f.Negate, f.Comparison, f.Logical, f.If,
                               f.Between, f.ListLiteral, f.RangeLiteral, f.UnaryCompare, f.ExpressionTest,
                               f.UnaryTests, f.In)):
        return False  # calls, filters, for / some / every
    if isinstance(node, f.Literal):
        value = node.value
        return not isinstance(value, int) or abs(value).bit_length() <= 64
    for field in fields(node):
        value = getattr(node, field.name)
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, tuple):  # (name, node) bindings never occur here: only in For/Quantified
                return False
            if isinstance(child, f.Node) and not _feel_node_cheap(child):
                return False
    return True


def _cell_cheap(compiled) -> bool:
    from app.engine.dmn import cells

    if isinstance(compiled, (cells.AnyTest, cells.Constant, cells.ContextLookup)):
        return True
    if isinstance(compiled, cells.FeelTest):
        return _feel_node_cheap(compiled.tests)
    if isinstance(compiled, cells.FeelExpression):
        return _feel_node_cheap(compiled.node)
    if isinstance(compiled, cells.PythonTest):
        return is_cheap(compiled.expression, "eval")
    if isinstance(compiled, cells.PythonExpression):
        return is_cheap(compiled.text.strip(), "eval")
    return False  # anything new


#: id(table) → (a weak reference to it, whether it is cheap); tables are unhashable dataclasses
_tables: dict[int, tuple[weakref.ref, bool]] = {}


def is_cheap_table(table) -> bool:
    """True if every cell of a decision table is FEEL without calls or loops (names, literals,
    comparisons, ranges, lists, ``+``/``-``) or a cheap Python expression: such a table can be
    evaluated in-process."""
    known = _tables.get(id(table))
    if known is not None and known[0]() is table:
        return known[1]
    entries = [column.compiled for column in table.inputs]
    entries += [entry.compiled for rule in table.rules for entry in rule.input_entries + rule.output_entries]
    cheap = len(table.rules) <= MAX_TABLE_RULES and all(_cell_cheap(c) for c in entries)
    key = id(table)
    _tables[key] = (weakref.ref(table, lambda _ref: _tables.pop(key, None)), cheap)
    return cheap
