"""Which expressions and scripts are provably cheap enough to run in the calling process.

Most gateway conditions and parameter values are a name, a literal, a comparison or a sum
(``eligible == True``, ``size``, ``supplement_count + 1``). Sending each of them to an evaluator
process would cost more than evaluating it, and they cannot run long or allocate much: without
calls, loops, comprehensions, lambdas, string formatting or repetition, the work is linear in
the length of the source times the size of the data it reads, and both are bounded (the source
by :data:`MAX_SOURCE`, the data by the instance data limit).

Everything else goes to the bounded evaluator (:mod:`app.engine.bounded.pool`).
"""

from __future__ import annotations

import ast
from functools import lru_cache

#: Longer sources are never treated as cheap.
MAX_SOURCE = 2_000
#: Calls allowed on the fast path: constant time whatever the argument.
CHEAP_CALLS = frozenset({"len", "bool"})

_NODES = (
    ast.Expression, ast.Module, ast.Expr, ast.Assign, ast.Pass, ast.If,
    ast.Name, ast.Load, ast.Store, ast.Constant, ast.Subscript, ast.Slice,
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.IfExp,
    ast.List, ast.Tuple, ast.Dict, ast.Set,
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
    ast.Add, ast.Sub, ast.Div,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
)


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
    for node in ast.walk(tree):
        if not _cheap_node(node):
            return False
    return True


def uses_shadowed_call(source: str, names) -> bool:
    """True if a cheap call's name is also a data name (``len`` would not be the builtin)."""
    return any(name in names for name in CHEAP_CALLS if name in source)
