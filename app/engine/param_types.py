"""Checking a service task's literal parameter values against the operator's declared types.

A parameter value is an expression over the process data (``household['members']``), so its
type is known only when it runs. When the value is a plain literal (``'gongzufang'``, ``24``,
``True``), its type is known at deploy: it must fit the operator's JSON Schema type and, where
the schema lists choices, be one of them. The modeler makes the same check in the browser.
"""

from __future__ import annotations

import ast
from typing import Any

_MISSING = object()

#: JSON Schema type → the Python types a literal of that type may have
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
}

_TYPE_NAMES = {"string": "a string", "integer": "an integer", "number": "a number",
               "boolean": "True or False", "array": "a list", "object": "a dict"}


def literal_value(expression: str) -> Any:
    """The value of ``expression`` if it is a plain literal, else a private marker."""
    try:
        return ast.literal_eval(expression.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _MISSING


def literal_problem(expression: str, schema: dict) -> str | None:
    """Why a literal ``expression`` does not fit the parameter ``schema``; None if it fits or is
    not a literal (an expression is checked when it runs)."""
    value = literal_value(expression or "")
    if value is _MISSING or value is None:
        return None
    expected = schema.get("type")
    allowed = _PY_TYPES.get(expected) if isinstance(expected, str) else None
    if allowed is not None:
        is_bool = isinstance(value, bool)
        if (is_bool and expected != "boolean") or not isinstance(value, allowed):
            return f"expects {_TYPE_NAMES[expected]}, not {expression.strip()}"
    choices = schema.get("enum")
    if choices and value not in choices:
        return f"must be one of {', '.join(map(repr, choices))}, not {expression.strip()}"
    return None
