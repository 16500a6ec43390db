"""China's working-day calendar: official holidays and make-up working weekends (调休).

The calendar comes from the maintained ``chinesecalendar`` package. For a year the package does
not cover yet (the State Council publishes each year's arrangement in the autumn before), the
calendar falls back to weekends plus the fixed-date statutory holidays (元旦, 劳动节, 国庆) and
whatever an administrator lists in ``HOUSING_HOLIDAYS_FILE`` (JSON: ``{"holidays": [...],
"workdays": [...]}`` with ISO dates), and says so in :func:`coverage_note`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
CHINA_TZ = ZoneInfo("Asia/Shanghai")
#: (month, day) statutory holidays fixed by date, used only where the package has no data
FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}
_overrides: dict[str, set[date]] = {"holidays": set(), "workdays": set()}


def load_overrides(path: str | None) -> None:
    """Read extra holidays / make-up workdays from a JSON file (no-op for an empty path)."""
    _overrides["holidays"].clear()
    _overrides["workdays"].clear()
    if path:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        for kind in ("holidays", "workdays"):
            _overrides[kind].update(date.fromisoformat(d) for d in raw.get(kind, []))
    is_workday.cache_clear()


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """True if ``day`` is a working day in mainland China."""
    if day in _overrides["workdays"]:
        return True
    if day in _overrides["holidays"]:
        return False
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def coverage_note(day: date) -> str | None:
    """A warning when ``day``'s year is past the package's data, else None."""
    try:
        chinese_calendar.is_workday(day)
        return None
    except NotImplementedError:
        return (f"{day.year} 年节假日安排尚未收录，按周末及法定固定节日推算"
                " (the holiday package has no data for this year yet)")


def add_working_days(start: datetime | date, days: int) -> datetime:
    """The end of the ``days``-th working day after ``start`` (China time), as UTC.

    A deadline of 3 working days set on a Friday afternoon ends at 24:00 of the third working
    day after it; weekends, holidays and the start day itself do not count.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if isinstance(start, datetime):
        local = start.astimezone(CHINA_TZ) if start.tzinfo else start.replace(tzinfo=CHINA_TZ)
        day = local.date()
    else:
        day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=CHINA_TZ)
    return end.astimezone(UTC)


def working_days_between(start: datetime | date, end: datetime | date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    a = _local_date(start)
    b = _local_date(end)
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if is_workday(day):
            count += 1
    return sign * count


def _local_date(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return (value.astimezone(CHINA_TZ) if value.tzinfo else value.replace(tzinfo=CHINA_TZ)).date()
    return value


def now_utc() -> datetime:
    """The current time in UTC (one place to read the clock)."""
    return datetime.now(UTC)
