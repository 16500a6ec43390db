"""The FEEL built-in functions this engine provides.

Each entry of :data:`BUILTINS` is ``name -> (function, min_args, max_args)``; ``max_args`` of
``None`` means any number (``sum(1, 2, 3)`` as well as ``sum([1, 2, 3])``). Functions take FEEL
values and return null (``None``) for arguments of the wrong type, as FEEL specifies. There is
deliberately no ``today()``/``now()``: a decision replayed on stored facts must give the same
answer tomorrow, so the reference date has to be a fact.

They cover DMN 1.3 chapter 10.3.4: conversion (``date``, ``time``, ``date and time`` with
``@Zone/Name`` or offsets, ``duration`` of days-and-time or years-and-months, ``years and months
duration``, ``number``, ``string``), strings, lists, numbers, dates (``day of week``...), ranges
(``before``, ``overlaps``...) and contexts (``get value``, ``context put``...). The lists and
texts they build are charged to the evaluation's budget by the evaluator; regular expressions
go through :mod:`.feel_regex`, which refuses patterns that could backtrack for hours.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import feel_regex
from .errors import FeelEvaluationError
from .feel_values import (
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


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _date_and_time(*args):
    if len(args) == 2:
        day, time = args
        if isinstance(day, dt.date) and isinstance(time, dt.time):
            return dt.datetime.combine(day if not isinstance(day, dt.datetime) else day.date(), time)
        return None
    value = args[0]
    if isinstance(value, str):
        return _parse_date_and_time(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def _parse_date_and_time(text: str):
    """``2025-01-01T10:00:00``, with ``Z``, ``+08:00`` or ``@Asia/Shanghai``; a bare date is
    midnight of that day."""
    if "T" not in text:
        day = _date(text)
        return None if day is None else dt.datetime.combine(day, dt.time())
    return _zoned(text, dt.datetime.fromisoformat)


def _zoned(text: str, parse):
    """``parse`` of the text before an ``@Zone/Name`` suffix, with that zone attached; None
    when it does not parse, the zone is unknown or the text has an offset of its own."""
    body, _, zone = text.partition("@")
    try:
        value = parse(body)
    except ValueError:
        return None
    if not zone:
        return value
    tz = _zone(zone)
    return None if tz is None or value.tzinfo is not None else value.replace(tzinfo=tz)


def _time(*args):
    if len(args) >= 3:
        parts = [to_decimal(arg) for arg in args[:3]]
        offset = args[3] if len(args) == 4 else None
        if any(p is None for p in parts) or (offset is not None and not isinstance(offset, dt.timedelta)):
            return None
        try:
            seconds = parts[2]
            tz = dt.timezone(offset) if offset is not None else None
            return dt.time(int(parts[0]), int(parts[1]), int(seconds),
                           int((seconds - int(seconds)) * 1_000_000), tzinfo=tz)
        except (ValueError, OverflowError, TypeError):
            return None
    if len(args) != 1:
        return None
    value = args[0]
    if isinstance(value, str):
        return _zoned(value, dt.time.fromisoformat)
    if isinstance(value, dt.datetime):
        return value.timetz()
    if isinstance(value, dt.date):
        return dt.time()
    return value if isinstance(value, dt.time) else None


def _duration(text):
    """Days-and-time (``P3D``, ``PT12H``) or years-and-months (``P1Y2M``) durations; mixing
    the two (``P1Y3D``) is null, as FEEL has no such duration."""
    match = _DURATION_RE.fullmatch(text) if isinstance(text, str) else None
    if not match or text.rstrip("T").endswith("P") or text.endswith("T"):
        return None
    parts = match.groupdict()
    if parts["years"] or parts["months"]:
        if any(parts[k] for k in ("days", "hours", "minutes", "seconds")):
            return None
        if len(parts["years"] or "") > 6 or len(parts["months"] or "") > 8:
            return None
        months = int(parts["years"] or 0) * 12 + int(parts["months"] or 0)
        return YearsMonths(-months if parts["sign"] else months)
    if any(len(parts[k] or "") > 9 for k in ("days", "hours", "minutes")):
        return None
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


def _years_and_months(start, end):
    """The whole years and months from ``start`` to ``end`` (dates or dates and times)."""
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return None
    a = start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time())
    b = end if isinstance(end, dt.datetime) else dt.datetime.combine(end, dt.time())
    if (a.tzinfo is None) != (b.tzinfo is None):
        return None
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    months = (b.year - a.year) * 12 + b.month - a.month
    if (b.day, b.time()) < (a.day, a.time()):
        months -= 1
    return YearsMonths(sign * months)


# -- strings ---------------------------------------------------------------------------------
def _substring_before(text, match):
    if not isinstance(text, str) or not isinstance(match, str):
        return None
    return text.split(match, 1)[0] if match in text else ""


def _substring_after(text, match):
    if not isinstance(text, str) or not isinstance(match, str):
        return None
    return text.split(match, 1)[1] if match in text else ""


def _xpath_replacement(text: str) -> str:
    r"""XPath's ``$1`` group references as Python's ``\g<1>``; other backslashes kept literal."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1].replace("\\", "\\\\"))
            i += 2
        elif char == "$" and i + 1 < len(text) and text[i + 1].isdigit():
            out.append(f"\\g<{text[i + 1]}>")
            i += 2
        else:
            out.append("\\\\" if char == "\\" else char)
            i += 1
    return "".join(out)


def _replace(text, pattern, replacement, flags=None):
    regex = feel_regex.compiled(pattern, flags)
    if regex is None or not isinstance(text, str) or not isinstance(replacement, str):
        return None
    feel_regex.check_input(text)
    try:
        return regex.sub(_xpath_replacement(replacement) if "q" not in (flags or "") else
                         replacement.replace("\\", "\\\\"), text)
    except (re.error, IndexError):
        return None


def _matches(text, pattern, flags=None):
    regex = feel_regex.compiled(pattern, flags)
    if regex is None or not isinstance(text, str):
        return None
    feel_regex.check_input(text)
    return regex.search(text) is not None


def _split(text, delimiter):
    regex = feel_regex.compiled(delimiter)
    if regex is None or not isinstance(text, str):
        return None
    feel_regex.check_input(text)
    return regex.split(text)


def _string_join(items, delimiter=None):
    if not isinstance(items, list | tuple) or (delimiter is not None and not isinstance(delimiter, str)):
        return None
    if any(item is not None and not isinstance(item, str) for item in items):
        return None
    return (delimiter or "").join(item for item in items if item is not None)


# -- lists -----------------------------------------------------------------------------------
def _list_arg(func):
    def apply(items, *rest):
        return func(list(items), *rest) if isinstance(items, list | tuple) else None
    return apply


def _position(items: list, position) -> int | None:
    """A FEEL 1-based position (negative from the end) as a Python index, None if outside."""
    index = to_int(position)
    if index is None or index == 0 or abs(index) > len(items):
        return None
    return index - 1 if index > 0 else len(items) + index


def _sublist(items, start, length=None):
    index = _position(items, start)
    count = to_int(length) if length is not None else len(items)
    if index is None or count is None or count < 0:
        return None
    return items[index:index + count]


def _insert_before(items, position, new_item):
    index = _position(items, position)
    return None if index is None else items[:index] + [new_item] + items[index:]


def _remove(items, position):
    index = _position(items, position)
    return None if index is None else items[:index] + items[index + 1:]


def _index_of(items, match):
    return [Decimal(i) for i, item in enumerate(items, 1) if feel_equal(item, match) is True]


def _distinct(items):
    out = []
    for item in items:
        if not any(feel_equal(item, seen) is True for seen in out):
            out.append(item)
    return out


def _concatenate(*lists):
    if any(not isinstance(items, list | tuple) for items in lists):
        return None
    return [item for items in lists for item in items]


def _union(*lists):
    joined = _concatenate(*lists)
    return None if joined is None else _distinct(joined)


def _flatten(items, depth: int = 0):
    if depth > 30:
        raise FeelEvaluationError("the list is nested too deeply to flatten")
    out: list = []
    for item in items:
        out.extend(_flatten(list(item), depth + 1) if isinstance(item, list | tuple) else [item])
    return out


def _product(*args):
    numbers = _numbers(args)
    if numbers is None:
        return None
    def multiply():
        result = Decimal(1)
        for number in numbers:
            result *= number
        return result
    return decimal_or_none(multiply)


def _median(*args):
    numbers = _numbers(args)
    if numbers is None:
        return None
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else decimal_or_none(lambda: (ordered[middle - 1] + ordered[middle]) / 2)


def _stddev(*args):
    numbers = _numbers(args)
    if numbers is None or len(numbers) < 2:
        return None
    def compute():
        mean = sum(numbers, Decimal(0)) / len(numbers)
        return (sum(((n - mean) ** 2 for n in numbers), Decimal(0)) / (len(numbers) - 1)).sqrt()
    return decimal_or_none(compute)


def _mode(*args):
    items = _items(args)
    if items is None:
        return None
    if not items:
        return []
    numbers = _numbers(args)
    if numbers is None:
        return None
    counts = {}
    for number in numbers:
        counts[number] = counts.get(number, 0) + 1
    top = max(counts.values())
    return sorted(number for number, count in counts.items() if count == top)


def _sort(items, precedes=None):
    if not isinstance(items, list | tuple):
        return None
    items = list(items)
    if precedes is None:
        if len({kind(item) for item in items}) > 1:
            return None
        try:
            return sorted(items, key=lambda item: (to_decimal(item) if kind(item) == "number" else item))
        except TypeError:
            return None
    from functools import cmp_to_key

    def compare(a, b):
        if precedes(a, b) is True:
            return -1
        return 1 if precedes(b, a) is True else 0
    return sorted(items, key=cmp_to_key(compare))


# -- numbers ---------------------------------------------------------------------------------
def _number_function(func):
    def apply(number):
        value = to_decimal(number)
        return None if value is None else decimal_or_none(func, value)
    return apply


def _sqrt(value: Decimal):
    return value.sqrt() if value >= 0 else None


def _log(value: Decimal):
    return value.ln() if value > 0 else None


def _exp(value: Decimal):
    if value > 100_000:
        return None  # beyond any Decimal the engine keeps
    return value.exp()


def _parity(remainder: int):
    def apply(number):
        value = to_decimal(number)
        if value is None or value != value.to_integral_value():
            return None
        return int(value % 2) in (remainder, -remainder)
    return apply


# -- dates -----------------------------------------------------------------------------------
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _date_part(func):
    def apply(value):
        return func(value) if isinstance(value, dt.date) else None
    return apply


# -- ranges (DMN 1.4 10.3.4.11): points and ranges ------------------------------------------
def _as_range(value) -> Range | None:
    if isinstance(value, Range):
        return value
    if value is None or isinstance(value, list | tuple | dict):
        return None
    return Range(value, value, True, True)


def _lt(a, b) -> bool:
    return feel_compare("<", a, b) is True


def _eq(a, b) -> bool:
    return feel_equal(a, b) is True


def _range_function(test):
    def apply(a, b):
        first, second = _as_range(a), _as_range(b)
        if first is None or second is None:
            return None
        try:
            return bool(test(first, second))
        except TypeError:
            return None
    return apply


def _before(a: Range, b: Range) -> bool:
    return _lt(a.end, b.start) or (_eq(a.end, b.start) and not (a.end_closed and b.start_closed))


def _meets(a: Range, b: Range) -> bool:
    return a.end_closed and b.start_closed and _eq(a.end, b.start)


def _overlaps(a: Range, b: Range) -> bool:
    return not _before(a, b) and not _before(b, a)


def _overlaps_before(a: Range, b: Range) -> bool:
    starts_first = _lt(a.start, b.start) or (_eq(a.start, b.start) and a.start_closed and not b.start_closed)
    ends_inside = (_lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_closed and b.start_closed)) and (
        _lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_closed or b.end_closed)))
    return starts_first and ends_inside


def _finishes(a: Range, b: Range) -> bool:
    return _eq(a.end, b.end) and a.end_closed == b.end_closed and (
        _lt(b.start, a.start) or (_eq(a.start, b.start) and (not a.start_closed or b.start_closed)))


def _includes(a: Range, b: Range) -> bool:
    return (_lt(a.start, b.start) or (_eq(a.start, b.start) and (a.start_closed or not b.start_closed))) and (
        _lt(b.end, a.end) or (_eq(a.end, b.end) and (a.end_closed or not b.end_closed)))


def _starts(a: Range, b: Range) -> bool:
    return _eq(a.start, b.start) and a.start_closed == b.start_closed and (
        _lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_closed or b.end_closed)))


def _coincides(a: Range, b: Range) -> bool:
    return _eq(a.start, b.start) and _eq(a.end, b.end) and a.start_closed == b.start_closed \
        and a.end_closed == b.end_closed


# -- contexts --------------------------------------------------------------------------------
def _get_value(context, key):
    if not isinstance(context, dict) or not isinstance(key, str):
        return None
    return context.get(key)


def _get_entries(context):
    if not isinstance(context, dict):
        return None
    return [{"key": key, "value": value} for key, value in context.items()]


def _context_put(context, key, value):
    if not isinstance(context, dict) or not isinstance(key, str):
        return None
    return {**context, key: value}


def _context_merge(contexts):
    if not isinstance(contexts, list | tuple) or any(not isinstance(c, dict) for c in contexts):
        return None
    merged = {}
    for context in contexts:
        merged.update(context)
    return merged


BUILTINS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "not": (_not, 1, 1),
    "date": (_date, 1, 3),
    "date and time": (_date_and_time, 1, 2),
    "time": (_time, 1, 4),
    "duration": (_duration, 1, 1),
    "years and months duration": (_years_and_months, 2, 2),
    "day of week": (_date_part(lambda d: _DAYS[d.weekday()]), 1, 1),
    "day of year": (_date_part(lambda d: Decimal(d.timetuple().tm_yday)), 1, 1),
    "month of year": (_date_part(lambda d: _MONTHS[d.month - 1]), 1, 1),
    "week of year": (_date_part(lambda d: Decimal(d.isocalendar()[1])), 1, 1),
    "number": (_number, 1, 1),
    "string": (_string, 1, 1),
    "string length": (_string_function(lambda s: Decimal(len(s))), 1, 1),
    "upper case": (_string_function(str.upper), 1, 1),
    "lower case": (_string_function(str.lower), 1, 1),
    "substring": (_substring, 2, 3),
    "contains": (_string_function(lambda s, part: part in s), 2, 2),
    "starts with": (_string_function(str.startswith), 2, 2),
    "ends with": (_string_function(str.endswith), 2, 2),
    "substring before": (_substring_before, 2, 2),
    "substring after": (_substring_after, 2, 2),
    "replace": (_replace, 3, 4),
    "matches": (_matches, 2, 3),
    "split": (_split, 2, 2),
    "string join": (_string_join, 1, 2),
    "sublist": (_list_arg(_sublist), 2, 3),
    "append": (lambda items, *new: list(items) + list(new) if isinstance(items, list | tuple) else None, 1, None),
    "concatenate": (_concatenate, 1, None),
    "insert before": (_list_arg(_insert_before), 3, 3),
    "remove": (_list_arg(_remove), 2, 2),
    "reverse": (_list_arg(lambda items: items[::-1]), 1, 1),
    "index of": (_list_arg(_index_of), 2, 2),
    "union": (_union, 1, None),
    "distinct values": (_list_arg(_distinct), 1, 1),
    "flatten": (_list_arg(_flatten), 1, 1),
    "product": (_product, 1, None),
    "median": (_median, 1, None),
    "stddev": (_stddev, 1, None),
    "mode": (_mode, 1, None),
    "sort": (_sort, 1, 2),
    "sqrt": (_number_function(_sqrt), 1, 1),
    "log": (_number_function(_log), 1, 1),
    "exp": (_number_function(_exp), 1, 1),
    "odd": (_parity(1), 1, 1),
    "even": (_parity(0), 1, 1),
    "before": (_range_function(_before), 2, 2),
    "after": (_range_function(lambda a, b: _before(b, a)), 2, 2),
    "meets": (_range_function(_meets), 2, 2),
    "met by": (_range_function(lambda a, b: _meets(b, a)), 2, 2),
    "overlaps": (_range_function(_overlaps), 2, 2),
    "overlaps before": (_range_function(_overlaps_before), 2, 2),
    "overlaps after": (_range_function(lambda a, b: _overlaps_before(b, a)), 2, 2),
    "finishes": (_range_function(_finishes), 2, 2),
    "finished by": (_range_function(lambda a, b: _finishes(b, a)), 2, 2),
    "includes": (_range_function(_includes), 2, 2),
    "during": (_range_function(lambda a, b: _includes(b, a)), 2, 2),
    "starts": (_range_function(_starts), 2, 2),
    "started by": (_range_function(lambda a, b: _starts(b, a)), 2, 2),
    "coincides": (_range_function(_coincides), 2, 2),
    "get value": (_get_value, 2, 2),
    "get entries": (_get_entries, 1, 1),
    "context put": (_context_put, 3, 3),
    "context merge": (_context_merge, 1, 1),
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

#: The parameter names of the built-ins (DMN 1.3 10.3.4), for named arguments such as
#: ``substring(string: "abc", start position: 2)``; a function with overloads lists each.
PARAMETERS: dict[str, list[tuple[str, ...]]] = {
    "not": [("negand",)],
    "date": [("from",), ("year", "month", "day")],
    "date and time": [("from",), ("date", "time")],
    "time": [("from",), ("hour", "minute", "second", "offset")],
    "duration": [("from",)],
    "years and months duration": [("from", "to")],
    "number": [("from",)],
    "string": [("from",)],
    "substring": [("string", "start position", "length")],
    "string length": [("string",)],
    "upper case": [("string",)],
    "lower case": [("string",)],
    "substring before": [("string", "match")],
    "substring after": [("string", "match")],
    "replace": [("input", "pattern", "replacement", "flags")],
    "contains": [("string", "match")],
    "starts with": [("string", "match")],
    "ends with": [("string", "match")],
    "matches": [("input", "pattern", "flags")],
    "split": [("string", "delimiter")],
    "string join": [("list", "delimiter")],
    "list contains": [("list", "element")],
    "count": [("list",)], "min": [("list",)], "max": [("list",)], "sum": [("list",)], "mean": [("list",)],
    "all": [("list",)], "any": [("list",)], "product": [("list",)], "median": [("list",)],
    "stddev": [("list",)], "mode": [("list",)], "reverse": [("list",)], "distinct values": [("list",)],
    "flatten": [("list",)],
    "sublist": [("list", "start position", "length")],
    "insert before": [("list", "position", "newItem")],
    "remove": [("list", "position")],
    "index of": [("list", "match")],
    "sort": [("list", "precedes")],
    "decimal": [("n", "scale")],
    "floor": [("n", "scale")], "ceiling": [("n", "scale")], "round half up": [("n", "scale")],
    "abs": [("n",)],
    "modulo": [("dividend", "divisor")],
    "sqrt": [("number",)], "log": [("number",)], "exp": [("number",)], "odd": [("number",)],
    "even": [("number",)],
    "day of week": [("date",)], "day of year": [("date",)], "month of year": [("date",)],
    "week of year": [("date",)],
    "get value": [("m", "key")],
    "get entries": [("m",)],
    "context put": [("context", "key", "value")],
    "context merge": [("contexts",)],
}


def positional(name: str, named: dict) -> list | None:
    """The positional arguments for a call of built-in ``name`` with ``named`` arguments (the
    first signature that has every name, trailing optional ones left out); None if none fits."""
    for signature in PARAMETERS.get(name, []):
        if set(named) <= set(signature):
            last = max(signature.index(key) for key in named) if named else -1
            return [named.get(param) for param in signature[:last + 1]]
    return None


#: Built-in names made of several words, longest first, as tuples of words.
MULTI_WORD_NAMES: list[tuple[str, ...]] = sorted(
    (tuple(name.split()) for name in BUILTINS if " " in name), key=len, reverse=True
)
