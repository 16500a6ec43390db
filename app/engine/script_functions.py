"""Functions scripts, conditions and timer expressions may call, besides the safe builtins.

Timer expressions can use working days: a ``timeDate`` of ``workdays_from_now(10)`` ends a
公示 after ten working days. Handlers may add functions with :func:`script_function`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from app.engine import workdays
from app.privacy import mask_id_number, mask_name

SCRIPT_FUNCTIONS: dict[str, Callable] = {}


def script_function(func: Callable) -> Callable:
    """Make ``func`` callable from scripts under its own name."""
    SCRIPT_FUNCTIONS[func.__name__] = func
    return func


def _parse(value: str | date | datetime) -> datetime | date:
    if isinstance(value, (date, datetime)):
        return value
    text = str(value)
    return datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)


@script_function
def workdays_from_now(days: int) -> str:
    """ISO time (UTC) at the end of the ``days``-th working day from now."""
    return workdays.add_working_days(workdays.now_utc(), int(days)).isoformat()


@script_function
def add_working_days(start: str, days: int) -> str:
    """ISO time (UTC) at the end of the ``days``-th working day after ``start``."""
    return workdays.add_working_days(_parse(start), int(days)).isoformat()


@script_function
def working_days_between(start: str, end: str) -> int:
    """Working days after ``start`` up to and including ``end``."""
    return workdays.working_days_between(_parse(start), _parse(end))


@script_function
def now() -> str:
    """The current time, ISO 8601 in UTC."""
    return workdays.now_utc().isoformat()


@script_function
def today() -> str:
    """Today's date in China, ISO 8601."""
    return workdays.now_utc().astimezone(workdays.CHINA_TZ).date().isoformat()


SCRIPT_FUNCTIONS["mask_id"] = mask_id_number
SCRIPT_FUNCTIONS["mask_name"] = mask_name
