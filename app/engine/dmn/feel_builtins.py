"""The FEEL built-in functions this engine provides.

Each entry of :data:`BUILTINS` is ``name -> (function, min_args, max_args)``; ``max_args`` of
``None`` means any number (``sum(1, 2, 3)`` as well as ``sum([1, 2, 3])``). Functions take FEEL
values and return null (``None``) for arguments of the wrong type, as FEEL specifies. There is
deliberately no ``today()``/``now()``: a decision replayed on stored facts must give the same
answer tomorrow, so the reference date has to be a fact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from .errors import FeelEvaluationError
from .feel_values import (
    all_true,
    any_true,
    decimal_or_none,
    feel_compare,
    feel_equal,
    kind,
    to_decimal,
    to_int,
)

_DURATION_RE = re.compile(
    r"(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def _items(args: tuple) -> list | None:
    """The list argument of a list function: ``f([a, b])`` or ``f(a, b)``."""
    if len(args) == 1 and isinstance(args[0], list | tuple):
        return list(args[0])
    if len(args) == 1 and args[0] is None:
        return None
    return list(args)


def _numbers(args: tuple) -> list[Decimal] | None:
    items = _items(args)
    if not items:
        return None
    numbers = [to_decimal(item) for item in items]
    return None if any(n is None for n in numbers) else numbers


def _sum(*args):
    numbers = _numbers(args)
    return None if numbers is None else decimal_or_none(sum, numbers, Decimal(0))


def _mean(*args):
    numbers = _numbers(args)
    return None if numbers is None else decimal_or_none(lambda: sum(numbers, Decimal(0)) / len(numbers))


def _extreme(op: str):
    def pick(*args):
        items = _items(args)
        if not items or len({kind(item) for item in items}) != 1:
            return None
        best = items[0]
        for item in items[1:]:
            better = feel_compare(op, item, best)
            if better is None:
                return None
            best = item if better else best
        return best
    return pick


def _count(items):
    return Decimal(len(items)) if isinstance(items, list | tuple) else None


def _all(*args):
    items = _items(args)
    return None if items is None else all_true(items)


def _any(*args):
    items = _items(args)
    return None if items is None else any_true(items)


def _list_contains(items, element):
    if not isinstance(items, list | tuple):
        return None
    return any(feel_equal(item, element) is True for item in items)


def _rounding(mode: str):
    def apply(number, scale=Decimal(0)):
        number, places = to_decimal(number), to_int(scale)
        if number is None or places is None:
            return None
        return decimal_or_none(number.quantize, Decimal(1).scaleb(-places), mode)
    return apply


def _modulo(dividend, divisor):
    a, b = to_decimal(dividend), to_decimal(divisor)
    if a is None or b is None or b == 0:
        return None
    return decimal_or_none(lambda: a - b * (a / b).to_integral_value(ROUND_FLOOR))


def _abs(number):
    if isinstance(number, dt.timedelta):
        return abs(number)
    value = to_decimal(number)
    return None if value is None else abs(value)


def _string_function(func: Callable[..., Any]):
    def apply(*args):
        return func(*args) if all(isinstance(arg, str) for arg in args) else None
    return apply


def _substring(text, start, length=None):
    first, count = to_int(start), to_int(length) if length is not None else None
    if not isinstance(text, str) or first is None or (length is not None and count is None):
        return None
    begin = first - 1 if first > 0 else len(text) + first
    end = None if count is None else begin + count
    return text[max(begin, 0):end]


def _string(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    number = to_decimal(value)
    if number is not None:
        return format(number.normalize(), "f")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _number(text):
    if not isinstance(text, str):
        return to_decimal(text)
    if re.fullmatch(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*", text):
        return Decimal(text.strip())
    return None


def _date(*args):
    if len(args) == 2:
        return None
    if len(args) == 3:
        parts = [to_int(arg) for arg in args]
        if any(p is None for p in parts):
            return None
        try:
            return dt.date(*parts)
        except (ValueError, OverflowError):
            return None
    value = args[0]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _date_and_time(*args):
    if len(args) == 2:
        day, time = args
        if isinstance(day, dt.date) and isinstance(time, dt.time):
            return dt.datetime.combine(day, time)
        return None
    value = args[0]
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, dt.datetime) else None


def _time(value):
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            return None
    return value.time() if isinstance(value, dt.datetime) else None


def _duration(text):
    """Days-and-time durations (``P3D``, ``PT12H``); years/months are not supported."""
    match = _DURATION_RE.fullmatch(text) if isinstance(text, str) else None
    if not match or text.rstrip("T").endswith("P"):
        return None
    parts = match.groupdict()
    if parts["years"] or parts["months"]:
        raise FeelEvaluationError(f"years-and-months durations such as {text!r} are not supported")
    try:
        delta = dt.timedelta(days=int(parts["days"] or 0), hours=int(parts["hours"] or 0),
                             minutes=int(parts["minutes"] or 0), seconds=float(parts["seconds"] or 0))
    except (ValueError, OverflowError):
        return None
    return -delta if parts["sign"] else delta


def parse_temporal(text: str) -> Any:
    """The value of a FEEL ``@"..."`` literal: a date, date and time, time or duration;
    raises :class:`FeelEvaluationError` for text that is none of them."""
    if text.lstrip("-").startswith("P"):
        value = _duration(text)
    elif "T" in text:
        value = _date_and_time(text)
    elif ":" in text:
        value = _time(text)
    else:
        value = _date(text)
    if value is None:
        raise FeelEvaluationError(f"@{text!r} is not a date, time, date and time or duration")
    return value


def _not(value):
    return (not value) if isinstance(value, bool) else None


BUILTINS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "not": (_not, 1, 1),
    "date": (_date, 1, 3),
    "date and time": (_date_and_time, 1, 2),
    "time": (_time, 1, 1),
    "duration": (_duration, 1, 1),
    "number": (_number, 1, 1),
    "string": (_string, 1, 1),
    "string length": (_string_function(lambda s: Decimal(len(s))), 1, 1),
    "upper case": (_string_function(str.upper), 1, 1),
    "lower case": (_string_function(str.lower), 1, 1),
    "substring": (_substring, 2, 3),
    "contains": (_string_function(lambda s, part: part in s), 2, 2),
    "starts with": (_string_function(str.startswith), 2, 2),
    "ends with": (_string_function(str.endswith), 2, 2),
    "count": (_count, 1, 1),
    "sum": (_sum, 1, None),
    "mean": (_mean, 1, None),
    "min": (_extreme("<"), 1, None),
    "max": (_extreme(">"), 1, None),
    "all": (_all, 1, None),
    "any": (_any, 1, None),
    "list contains": (_list_contains, 2, 2),
    "abs": (_abs, 1, 1),
    "floor": (_rounding(ROUND_FLOOR), 1, 2),
    "ceiling": (_rounding(ROUND_CEILING), 1, 2),
    "decimal": (_rounding(ROUND_HALF_EVEN), 2, 2),
    "round half up": (_rounding(ROUND_HALF_UP), 1, 2),
    "modulo": (_modulo, 2, 2),
}

#: Built-in names made of several words, longest first, as tuples of words.
MULTI_WORD_NAMES: list[tuple[str, ...]] = sorted(
    (tuple(name.split()) for name in BUILTINS if " " in name), key=len, reverse=True
)
