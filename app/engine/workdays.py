"""China's working-day calendar: official holidays and make-up working weekends (调休).

The calendar comes from the maintained ``chinesecalendar`` package. For a year the package does
not cover yet (the State Council publishes each year's arrangement in the autumn before), the
calendar falls back to weekends plus the fixed-date statutory holidays (元旦, 劳动节, 国庆) and
whatever an administrator lists in ``HOUSING_HOLIDAYS_FILE`` (JSON: ``{"holidays": [...],
"workdays": [...]}`` with ISO dates), and says so in :func:`coverage_note`. That list belongs to
the app that read it (:class:`WorkCalendar`), not to the process.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)
CHINA_TZ = ZoneInfo("Asia/Shanghai")
#: (month, day) statutory holidays fixed by date, used only where the package has no data
FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


@dataclass(frozen=True)
class WorkCalendar:
    """The national calendar plus an administrator's extra holidays and make-up workdays.

    Each app holds its own (``app.extensions["housing.workdays"]``, from ``HOUSING_HOLIDAYS_FILE``);
    the module functions below use the current app's, or :data:`NATIONAL` outside an app.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    @classmethod
    def from_file(cls, path: str | None) -> WorkCalendar:
        """Read extra holidays / make-up workdays from a JSON file (none for an empty path)."""
        if not path:
            return cls()
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        holidays, workdays = (frozenset(date.fromisoformat(d) for d in raw.get(kind, []))
                              for kind in ("holidays", "workdays"))
        return cls(holidays, workdays)

    def is_workday(self, day: date) -> bool:
        """True if ``day`` is a working day on this calendar."""
        return _is_workday(self, day)


#: The calendar without any overrides.
NATIONAL = WorkCalendar()
EXTENSION = "housing.workdays"


def init_app(app: Flask, holidays_file: str | None) -> WorkCalendar:
    """Give ``app`` the calendar with the overrides of ``holidays_file``."""
    calendar = app.extensions[EXTENSION] = WorkCalendar.from_file(holidays_file)
    return calendar


#: Outside an app: the national calendar, except in a script evaluator process, which holds the
#: calendar its host sent with the request (see :mod:`app.engine.bounded.worker`).
_outside_app: list[WorkCalendar] = [NATIONAL]


def current_calendar() -> WorkCalendar:
    """The running app's calendar; :data:`NATIONAL` outside an app context (pure date maths)."""
    if has_app_context():
        return current_app.extensions.get(EXTENSION, NATIONAL)
    return _outside_app[0]


def use_outside_app(calendar: WorkCalendar) -> None:
    """The calendar of a process that has no app (a script evaluator, given its host's)."""
    _outside_app[0] = calendar


@lru_cache(maxsize=4096)
def _is_workday(calendar: WorkCalendar, day: date) -> bool:
    if day in calendar.workdays:
        return True
    if day in calendar.holidays:
        return False
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def is_workday(day: date, calendar: WorkCalendar | None = None) -> bool:
    """True if ``day`` is a working day in mainland China (on ``calendar``, default the app's)."""
    return _is_workday(calendar or current_calendar(), day)


def coverage_note(day: date) -> str | None:
    """A warning when ``day``'s year is past the package's data, else None."""
    try:
        chinese_calendar.is_workday(day)
        return None
    except NotImplementedError:
        return (f"{day.year} 年节假日安排尚未收录，按周末及法定固定节日推算"
                " (the holiday package has no data for this year yet)")


def add_working_days(start: datetime | date, days: int, calendar: WorkCalendar | None = None) -> datetime:
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
    calendar = calendar or current_calendar()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=CHINA_TZ)
    return end.astimezone(UTC)


def working_days_between(start: datetime | date, end: datetime | date,
                         calendar: WorkCalendar | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    a = _local_date(start)
    b = _local_date(end)
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    calendar = calendar or current_calendar()
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            count += 1
    return sign * count


def _local_date(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return (value.astimezone(CHINA_TZ) if value.tzinfo else value.replace(tzinfo=CHINA_TZ)).date()
    return value


def now_utc() -> datetime:
    """The current time in UTC (one place to read the clock)."""
    return datetime.now(UTC)
