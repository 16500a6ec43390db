"""The sandbox for code written by policy staff: scripts, conditions, expressions.

Scripts, gateway conditions, DMN Python cells, timer and parameter expressions are typed into a
browser by people who are not the operators of this server, so they never run with plain
``eval``. They are compiled with RestrictedPython under a stricter policy:

* names and attributes starting with ``_`` are refused (``__subclasses__``, ``__globals__``…),
  ``import`` finds no ``__import__``, and ``open``, ``eval``, ``exec``, ``type``, ``getattr``
  and friends are simply not there;
* every loop iteration, comprehension item and function call ticks a clock: past the time limit
  the script stops with :class:`ScriptTimeout`;
* ``**``, ``*`` and ``<<`` check their operands first, so ``10 ** 10 ** 9`` or
  ``"x" * 10 ** 10`` fail at once instead of eating the server; ``range`` is bounded.

Errors are :class:`ScriptError` subclasses carrying the line number.

The clock does not see C-level work (``math.factorial(10**6)``, ``'%700000000d' % 1``): the host
never runs code here directly but through :class:`app.engine.bounded.BoundedSandbox`, which
uses this sandbox in-process only for provably cheap code and otherwise inside an evaluator
process with CPU and memory limits.
"""

from __future__ import annotations

import ast
import builtins
import datetime as _dt
import decimal
import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

MAX_SEQUENCE = 1_000_000
MAX_RANGE = 100_000
MAX_POW_BITS = 100_000
FORBIDDEN_NAMES = {"eval", "exec", "compile", "open", "globals", "locals", "vars", "getattr", "setattr",
                   "delattr", "type", "super", "object", "memoryview", "breakpoint", "input", "help"}


class ScriptError(Exception):
    """A script or expression failed; ``line_number`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line_number: int = 0):
        super().__init__(message)
        self.line_number = line_number


class SandboxViolation(ScriptError):
    """The code tried something the sandbox forbids."""


class ScriptTimeout(ScriptError):
    """The code ran past its time limit."""


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus a clock tick in every loop and function body."""

    @staticmethod
    def _tick_stmt(node: ast.AST) -> ast.Expr:
        call = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_While(self, node: ast.While) -> ast.AST:
        node = super().visit_While(node)
        node.body.insert(0, self._tick_stmt(node))
        return node

    def visit_For(self, node: ast.For) -> ast.AST:
        node = super().visit_For(node)
        node.body.insert(0, self._tick_stmt(node))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, self._tick_stmt(node))
        return node

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "import is not allowed in scripts.")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "Class definitions are not allowed.")
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in FORBIDDEN_NAMES:
            self.error(node, f'"{node.id}" is not available in scripts.')
        return super().visit_Name(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = super().visit_BinOp(node)
        if isinstance(node.op, (ast.Pow, ast.Mult, ast.LShift)):
            call = ast.Call(
                func=ast.Name("_binop_", ast.Load()),
                args=[ast.Constant(type(node.op).__name__), node.left, node.right],
                keywords=[],
            )
            return ast.fix_missing_locations(ast.copy_location(call, node))
        return node


def _check_binop(op: str, left: Any, right: Any) -> Any:
    if op == "Pow":
        if isinstance(left, int) and isinstance(right, int) and right > 0:
            if right * max(1, abs(left).bit_length()) > MAX_POW_BITS:
                raise SandboxViolation("number too large: the exponent is over the limit")
        return left**right
    if op == "Mult":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int):
                if len(seq) * n > MAX_SEQUENCE:
                    raise SandboxViolation("sequence too large: repetition over the limit")
        return left * right
    if op == "LShift":
        if isinstance(right, int) and right > MAX_POW_BITS:
            raise SandboxViolation("number too large: shift over the limit")
        return left << right
    raise SandboxViolation(f"operator {op} is not allowed")


def _inplace(op: str, left: Any, right: Any) -> Any:
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b, "%=": lambda a, b: a % b, "|=": lambda a, b: a | b,
        "&=": lambda a, b: a & b, "^=": lambda a, b: a ^ b, ">>=": lambda a, b: a >> b,
    }
    named = {"*=": "Mult", "**=": "Pow", "<<=": "LShift"}
    if op in named:
        return _check_binop(named[op], left, right)
    if op not in ops:
        raise SandboxViolation(f"operator {op} is not allowed")
    return ops[op](left, right)


def _safe_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise SandboxViolation(f"range() is limited to {MAX_RANGE} elements")
    return r


def _safe_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is not None:
        return builtins.pow(base, exp, mod)
    return _check_binop("Pow", base, exp)


_SAFE_BUILTIN_NAMES = (
    "None", "False", "True", "abs", "all", "any", "bool", "chr", "dict", "divmod", "enumerate",
    "filter", "float", "frozenset", "int", "isinstance", "len", "list", "map", "max", "min",
    "ord", "repr", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
    "ArithmeticError", "Exception", "IndexError", "KeyError", "LookupError", "TypeError",
    "ValueError", "ZeroDivisionError",
)
SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in _SAFE_BUILTIN_NAMES}
SAFE_BUILTINS.update(range=_safe_range, pow=_safe_pow)

#: Modules and classes scripts may use (their private attributes stay unreachable).
SAFE_GLOBALS: dict[str, Any] = {
    "math": math,
    "Decimal": decimal.Decimal,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "timedelta": _dt.timedelta,
    "timezone": _dt.timezone,
}


class _Clock:
    """Ticks raise :class:`ScriptTimeout` once the deadline has passed."""

    __slots__ = ("deadline", "timeout")

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise ScriptTimeout(f"script ran longer than its limit of {self.timeout:g} s")

    def iterate(self, obj: Any) -> Any:
        for item in obj:
            self.tick()
            yield item


@lru_cache(maxsize=4096)
def _compile(source: str, mode: str):
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename="<string>", policy=_Policy)
    if result.errors:
        line = 0
        first = result.errors[0]
        if first.startswith("Line "):
            try:
                line = int(first.split(":", 1)[0][5:])
            except ValueError:
                line = 0
        raise SandboxViolation("; ".join(result.errors), line_number=line)
    return result.code


def compile_check(source: str, mode: str = "exec") -> None:
    """Raise :class:`SandboxViolation` if ``source`` would be refused (used at deploy time)."""
    _compile(source, mode)


class Sandbox:
    """Evaluates expressions and runs scripts against a data dict, with a time limit."""

    def __init__(self, timeout: float = 2.0, functions: Mapping[str, Callable] | None = None):
        self.timeout = timeout
        self.functions = dict(functions or {})
        self._local = threading.local()

    def _globals(self, clock: _Clock) -> dict[str, Any]:
        g: dict[str, Any] = {
            "__builtins__": SAFE_BUILTINS,
            "__name__": "script",
            "_getattr_": safer_getattr,
            "_getitem_": lambda obj, key: obj[key],
            "_getiter_": clock.iterate,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": full_write_guard,
            "_inplacevar_": _inplace,
            "_apply_": lambda func, *a, **kw: (clock.tick(), func(*a, **kw))[1],
            "_tick_": clock.tick,
            "_binop_": _check_binop,
        }
        g.update(SAFE_GLOBALS)
        g.update(self.functions)
        return g

    def _run(self, source: str, mode: str, namespace: dict) -> Any:
        code = _compile(source, mode)
        try:
            return eval(code, namespace)  # noqa: S307 - restricted bytecode, guarded globals
        except ScriptError as exc:
            if not exc.line_number:
                exc.line_number = _line_of(exc)
            raise
        except RecursionError:
            raise ScriptTimeout("script recursed too deeply") from None
        except (AttributeError, NotImplementedError) as exc:
            if "restricted" in str(exc) or "invalid attribute name" in str(exc) or "not safe" in str(exc):
                raise SandboxViolation(str(exc), _line_of(exc)) from None
            raise

    def evaluate(self, expression: str, context: Mapping[str, Any], extra: Mapping | None = None) -> Any:
        """The value of an expression over ``context`` (never modified)."""
        if not isinstance(expression, str) or not expression.strip():
            raise ScriptError("an empty expression has no value")
        clock = _Clock(self.timeout)
        namespace = self._globals(clock)
        namespace.update(extra or {})
        namespace.update(context)
        return self._run(expression.strip(), "eval", namespace)

    def execute(self, script: str, context: dict[str, Any], extra: Mapping | None = None) -> None:
        """Run a script; variables it assigns are written back into ``context``."""
        clock = _Clock(self.timeout)
        base = self._globals(clock)
        base.update(extra or {})
        namespace = dict(base)
        namespace.update(context)
        self._run(script, "exec", namespace)
        for key in list(context):
            if key not in namespace:
                del context[key]
        for key, value in namespace.items():
            if key.startswith("_") or (key in base and base[key] is value):
                continue
            if callable(value) or hasattr(value, "__loader__"):
                continue
            context[key] = to_json_value(value, key)


def _line_of(exc: BaseException) -> int:
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<string>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def to_json_value(value: Any, name: str = "value") -> Any:
    """Make a script's value storable as JSON (tuples/sets → lists, dates → ISO strings)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ScriptError(f"variable {name!r} is not a finite number")
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json_value(v, f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v, name) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_json_value(v, name) for v in value), key=json.dumps)
    raise ScriptError(f"variable {name!r} holds a {type(value).__name__}, which cannot be saved")
