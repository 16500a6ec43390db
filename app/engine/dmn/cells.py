"""Compiles one cell or expression of a table, in FEEL or in Python, and evaluates it.

Which language a text is read in:

* where the expression language in force (the cell's ``expressionLanguage``, else the table's,
  else the file's) names Python (``python``, ``http://www.python.org``...), it is Python;
* otherwise it is FEEL, unless the text does not parse as FEEL (single quotes, ``==``,
  ``True``/``None``, ``len(x)``, ``in [...]``, ``4 < ? < 6``...) but does parse as Python:
  then it is Python, as SpiffWorkflow tables are written.

Python cells are never evaluated here: they go to the ``python_eval(expression, names)``
callable of the :class:`CellEnv`, which the host backs with its sandbox. They follow
SpiffWorkflow's ``DMNEngine.evaluate``: ``?`` (outside quotes) stands for the input value;
otherwise a text that is a whole expression is compared with ``==``, and one that is not
(``< 4148``, ``in ['a', 'b']``) is appended to the input value.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import feel_eval
from .errors import DmnError, DmnEvaluationError, FeelSyntaxError, quote
from .feel_ast import Node, UnaryTests
from .feel_parser import parse_expression, parse_unary_tests
from .model import Language

#: ``python_eval(expression, names)``: evaluate a Python expression with the facts plus ``names``.
PythonEval = Callable[[str, dict], Any]

#: The name SpiffWorkflow gives the input value in Python cells.
INPUT_NAME = "dmninputexpr"
# SpiffWorkflow's own pattern: a '?' that is not inside quotes.
_QUESTION_MARK = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


class UnsupportedLanguage(DmnError):
    """An ``expressionLanguage`` that is neither FEEL nor Python."""


def language_of(uri: str | None) -> Language:
    """The language an ``expressionLanguage`` value names (absent means FEEL)."""
    if not uri or not uri.strip():
        return Language.FEEL
    lowered = uri.strip().lower()
    if "python" in lowered:
        return Language.PYTHON
    if "feel" in lowered:
        return Language.FEEL
    raise UnsupportedLanguage(f"expression language {uri!r} is not supported (use FEEL or Python)")


@dataclass
class CellEnv:
    """What a cell is evaluated against: the facts and the Python evaluator (if any)."""

    context: Mapping[str, Any]
    python_eval: PythonEval | None = None

    def python(self, expression: str, names: dict, reason: str | None) -> Any:
        """Evaluates a Python expression through the host's evaluator."""
        if self.python_eval is None:
            why = f" (it is not FEEL: {reason})" if reason else ""
            raise DmnEvaluationError(
                f"{quote(expression)} is a Python expression{why}, but no Python evaluator was given")
        return self.python_eval(expression, names)


# -- input tests -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AnyTest:
    """``-`` or an empty cell."""

    language: Language = Language.FEEL

    def matches(self, value: Any, env: CellEnv) -> bool:
        return True


@dataclass(frozen=True)
class FeelTest:
    tests: UnaryTests
    language: Language = Language.FEEL

    def matches(self, value: Any, env: CellEnv) -> bool:
        return feel_eval.test(self.tests, value, env.context)


@dataclass(frozen=True)
class PythonTest:
    expression: str
    feel_error: str | None = None
    language: Language = Language.PYTHON

    def matches(self, value: Any, env: CellEnv) -> bool:
        return bool(env.python(self.expression, {INPUT_NAME: value}, self.feel_error))


def compile_test(text: str | None, language: Language, names=()) -> AnyTest | FeelTest | PythonTest:
    """Compiles an input entry; raises :class:`DmnError` with the reason when it cannot.
    ``names`` are the declared names that may hold spaces (see :mod:`.feel_parser`)."""
    if text is None or text.strip() in ("", "-"):
        return AnyTest(language)
    return _compile(text, language, lambda feel: parse_unary_tests(feel, names), FeelTest, _python_test)


def _python_test(text: str, feel_error: str | None) -> PythonTest:
    replaced = _QUESTION_MARK.sub(INPUT_NAME, text)
    if INPUT_NAME in replaced:
        expression = replaced
    elif _parses(text, "exec"):
        expression = f"({INPUT_NAME}) == ({text})"
    else:
        expression = f"{INPUT_NAME} {text}"
    _check_python(expression)
    return PythonTest(expression, feel_error)


# -- expressions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Constant:
    """An empty output entry: ``None`` (FEEL) or ``""`` (Python, as SpiffWorkflow gives)."""

    value: Any
    language: Language = Language.FEEL

    def evaluate(self, env: CellEnv) -> Any:
        return self.value


@dataclass(frozen=True)
class ContextLookup:
    """An input without an expression: SpiffWorkflow's fallback to the variable named by the
    input's label."""

    name: str
    language: Language = Language.FEEL

    def evaluate(self, env: CellEnv) -> Any:
        return env.context.get(self.name)


@dataclass(frozen=True)
class FeelExpression:
    node: Node
    language: Language = Language.FEEL

    def evaluate(self, env: CellEnv) -> Any:
        return feel_eval.evaluate(self.node, env.context)


@dataclass(frozen=True)
class PythonExpression:
    text: str
    feel_error: str | None = None
    language: Language = Language.PYTHON

    def evaluate(self, env: CellEnv) -> Any:
        return env.python(self.text, {}, self.feel_error)


def compile_expression(text: str | None, language: Language, names=()):
    """Compiles an input expression or output entry; an empty one evaluates to ``None``
    (``""`` in a Python table). Raises :class:`DmnError` when it cannot compile."""
    if text is None or not text.strip():
        return Constant("" if language is Language.PYTHON else None, language)
    return _compile(text, language, lambda feel: parse_expression(feel, names), FeelExpression,
                    _python_expression)


def _python_expression(text: str, feel_error: str | None) -> PythonExpression:
    _check_python(text.strip())
    return PythonExpression(text.strip(), feel_error)


# -- helpers ---------------------------------------------------------------------------------
def _compile(text: str, language: Language, parse_feel, make_feel, compile_python):
    """Python in a Python table; else FEEL, or Python when the text is only Python (if it is
    neither, the FEEL error is the one to report)."""
    if language is Language.PYTHON:
        return compile_python(text, None)
    try:
        return make_feel(parse_feel(text))
    except FeelSyntaxError as err:
        feel_error = err
    try:
        return compile_python(text, feel_error.reason)
    except DmnError:
        raise feel_error from None


def _python_syntax_error(text: str, mode: str) -> str | None:
    """Why ``text`` is not Python (None when it is); only parses, never runs it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. "1and", from a FEEL typo
            ast.parse(text, mode=mode)
    except (SyntaxError, ValueError) as err:
        return getattr(err, "msg", str(err))
    except (RecursionError, MemoryError):  # CPython's parser on very deep nesting
        return "nested too deeply"
    return None


def _parses(text: str, mode: str) -> bool:
    return _python_syntax_error(text, mode) is None


def _check_python(expression: str) -> None:
    detail = _python_syntax_error(expression, "eval")
    if detail is not None:
        raise DmnError(f"not a valid Python expression ({detail}): {quote(expression)}")
