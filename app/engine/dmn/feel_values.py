"""FEEL values in Python, and the comparisons and conversions FEEL defines on them.

A FEEL number is a :class:`~decimal.Decimal` inside the engine; facts may hold ``int`` or
``float`` (a float is read through its shortest repr, so ``4148.1`` equals the literal
``4148.1``). ``bool`` is never a number. Comparing values of different types, or ordering
anything with ``null``, gives ``None`` (null), which a unary test treats as "no match".
:func:`to_python` turns results back into JSON-friendly ``int``/``float``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

_ORDERED_KINDS = {"number", "string", "date", "datetime", "time", "duration", "ymduration"}


@dataclass(frozen=True, order=True)
class YearsMonths:
    """A FEEL years-and-months duration (``P1Y2M``), kept as a signed number of months:
    Python's ``timedelta`` has no months, and a month is not a fixed number of days."""

    months: int

    @property
    def years(self) -> int:
        """Whole years (toward zero), FEEL's ``.years``."""
        return int(self.months / 12)

    def isoformat(self) -> str:
        """``P1Y2M``, ``-P3M``, ``P0M``."""
        sign, total = ("-" if self.months < 0 else ""), abs(self.months)
        years, months = divmod(total, 12)
        text = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
        return f"{sign}P{text}"

    def __neg__(self) -> YearsMonths:
        return YearsMonths(-self.months)

    def __add__(self, other):
        if isinstance(other, YearsMonths):
            return YearsMonths(self.months + other.months)
        if isinstance(other, dt.date):
            return add_months(other, self.months)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, YearsMonths):
            return YearsMonths(self.months - other.months)
        return NotImplemented


def add_months(day: dt.date, months: int):
    """``day`` moved by ``months`` calendar months; the day of the month is kept, or set to the
    last day of a shorter month (2024-01-31 + P1M is 2024-02-29), as XML Schema adds durations."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    last = (dt.date(year + (month == 11), (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


class FeelFunction:
    """A FEEL function value: a built-in, a boxed or literal function definition, or a business
    knowledge model. ``call(args, named)`` evaluates it; ``params`` names its parameters
    (``None`` for a built-in that takes any)."""

    __slots__ = ("call", "name", "params")

    def __init__(self, name: str, params, call):
        self.name = name
        self.params = params
        self.call = call

    def __repr__(self) -> str:
        return f"function {self.name}"


def kind(value: Any) -> str:
    """The FEEL type of a Python value: ``null``, ``boolean``, ``number``, ``string``, ``date``,
    ``datetime``, ``time``, ``duration``, ``list``, ``context``, ``range`` or ``other``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, dt.timedelta):
        return "duration"
    if isinstance(value, YearsMonths):
        return "ymduration"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "context"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, FeelFunction):
        return "function"
    return "other"


def to_decimal(value: Any) -> Decimal | None:
    """The number as a Decimal, or None for non-numbers, NaN and infinities."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    return None


def to_int(value: Any) -> int | None:
    """An integral FEEL number as an ``int``; None when it is not one or is beyond 10**18
    (converting a number like 1E+999999 to int would stall the process)."""
    number = to_decimal(value)
    if number is None or number != number.to_integral_value() or number.adjusted() >= 18:
        return None
    return int(number)


def feel_equal(left: Any, right: Any) -> bool | None:
    """FEEL ``=``: null equals only null; different types are not comparable (None)."""
    if left is None or right is None:
        return left is None and right is None
    left_kind, right_kind = kind(left), kind(right)
    if left_kind != right_kind:
        return None
    if left_kind == "number":
        return to_decimal(left) == to_decimal(right)
    if left_kind == "list":
        if len(left) != len(right):
            return False
        return all_true(feel_equal(a, b) for a, b in zip(left, right, strict=True))
    if left_kind == "context":
        if set(left) != set(right):
            return False
        return all_true(feel_equal(left[k], right[k]) for k in left)
    if left_kind == "function":
        return left is right
    try:
        return bool(left == right)
    except TypeError:
        return None


def all_true(results) -> bool | None:
    """FEEL conjunction over ``results``: False if any is False, else None if any is not
    True, else True."""
    return _three_valued(results, decisive=False)


def any_true(results) -> bool | None:
    """FEEL disjunction over ``results``: True if any is True, else None if any is not
    False, else False."""
    return _three_valued(results, decisive=True)


def _three_valued(results, decisive: bool) -> bool | None:
    outcome: bool | None = not decisive
    for result in results:
        if result is decisive:
            return decisive
        if result is not (not decisive):
            outcome = None
    return outcome


def feel_compare(op: str, left: Any, right: Any) -> bool | None:
    """Applies ``= != < <= > >=``; None when either side is null or the types differ."""
    if op == "=":
        return feel_equal(left, right)
    if op == "!=":
        equal = feel_equal(left, right)
        return None if equal is None else not equal
    left_kind = kind(left)
    if left_kind != kind(right) or left_kind not in _ORDERED_KINDS:
        return None
    if left_kind == "number":
        left, right = to_decimal(left), to_decimal(right)
        if left is None or right is None:
            return None
    try:
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        if op == ">=":
            return left >= right
    except TypeError:  # e.g. naive vs aware datetimes
        return None
    raise ValueError(f"unknown comparison {op!r}")


@dataclass(frozen=True)
class Range:
    """A FEEL range value such as ``[1..10)``."""

    start: Any
    end: Any
    start_closed: bool = True
    end_closed: bool = True

    def contains(self, value: Any) -> bool | None:
        """Whether ``value`` lies in the range (None when not comparable)."""
        low = feel_compare(">=" if self.start_closed else ">", value, self.start)
        high = feel_compare("<=" if self.end_closed else "<", value, self.end)
        if low is False or high is False:
            return False
        if low is None or high is None:
            return None
        return True


def to_python(value: Any) -> Any:
    """A FEEL value as a plain Python value: Decimals become ``int`` when integral (and below
    10**20, so a huge result cannot stall the conversion), else ``float``; a number beyond the
    float range becomes None. Lists and contexts are converted item by item."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if value == value.to_integral_value() and value.adjusted() < 20:
            return int(value)
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, list | tuple):
        return [to_python(item) for item in value]
    if isinstance(value, dict):
        return {key: to_python(item) for key, item in value.items()}
    return value


def to_plain(value: Any) -> Any:
    """A FEEL result as data a task can store: numbers as in :func:`to_python`, durations as
    ISO 8601 text (``P1Y2M``, ``P3DT4H``), times as ISO text, functions and ranges as None."""
    if isinstance(value, YearsMonths):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, FeelFunction | Range):
        return None
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return to_python(value)


def duration_text(value: dt.timedelta) -> str:
    """A days-and-time duration as ISO 8601 text, e.g. ``P1DT2H30M``, ``-PT5S``."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = f"{seconds}.{value.microseconds:06d}".rstrip("0") if value.microseconds else str(seconds)
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + \
        (f"{fraction}S" if seconds or value.microseconds else "")
    days = f"{value.days}D" if value.days else ""
    if not days and not time:
        return "PT0S"
    return f"{sign}P{days}" + (f"T{time}" if time else "")


def coerce_input(value: Any, type_ref: str | None) -> Any:
    """Reads an ISO string as a date/dateTime when the input's ``typeRef`` says so, so facts
    stored as JSON (dates as strings) compare with ``date("...")`` literals."""
    if not isinstance(value, str) or not type_ref:
        return value
    wanted = type_ref.replace(" ", "").lower()
    try:
        if wanted == "date":
            return dt.date.fromisoformat(value[:10]) if len(value) >= 10 else value
        if wanted in ("datetime", "dateandtime"):
            return dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return value


def is_number_value(value: Any) -> bool:
    """True for a finite FEEL number (not a bool)."""
    return to_decimal(value) is not None


def decimal_or_none(func, *args) -> Decimal | None:
    """Runs Decimal arithmetic, mapping overflow, division by zero and the like to null."""
    try:
        result = func(*args)
    except (InvalidOperation, ArithmeticError, ValueError):
        return None
    return result
