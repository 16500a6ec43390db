"""Dates as government platforms write them, and the calendar arithmetic facts need.

Platforms write a date as ``2016-09-01``, ``20160901``, ``2016/09/01`` or with a time after it,
and a month as ``202610`` or ``2026-10``. Facts always carry ISO dates (``2016-09-01``) and ISO
months (``2026-10``). "Today" is the date in China (UTC+8), whatever the server's zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), name="Asia/Shanghai")

_DATE_RE = re.compile(r"^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})")
_MONTH_RE = re.compile(r"^(\d{4})[-/.]?(\d{2})$")


def today() -> date:
    """Today's date in China."""
    return datetime.now(CHINA_TZ).date()


def now_iso() -> str:
    """The current time in China as an ISO 8601 string with its offset."""
    return datetime.now(CHINA_TZ).isoformat(timespec="seconds")


def parse_date(value: object) -> date | None:
    """A date from any of the platforms' spellings; a bare month means its first day.

    Empty values give ``None``; anything else that is not a date raises ``ValueError``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE_RE.match(text)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    match = _MONTH_RE.match(text)
    if match:
        return date(int(match[1]), int(match[2]), 1)
    raise ValueError(f"not a date: {text!r}")


def iso_date(value: object) -> str | None:
    """``20160901`` → ``2016-09-01``; empty → ``None``."""
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None


def iso_month(value: object) -> str | None:
    """``202610`` or ``2026-10-15`` → ``2026-10``; empty → ``None``."""
    parsed = parse_date(value)
    return f"{parsed.year:04d}-{parsed.month:02d}" if parsed else None


def compact_month(month: str) -> str:
    """``2026-10`` → ``202610`` (the form most platforms want in a query)."""
    return month.replace("-", "")


def full_years(start: date | None, end: date | None = None) -> int:
    """Whole years from ``start`` to ``end`` (default today); 0 when ``start`` is missing."""
    if start is None:
        return 0
    end = end or today()
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(0, years)


def add_months(month: str, count: int) -> str:
    """``2026-10`` plus ``count`` months (negative goes back)."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive, oldest first (empty if reversed)."""
    out: list[str] = []
    current = first
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def last_full_months(count: int, on: date | None = None) -> list[str]:
    """The ``count`` whole months before the month of ``on`` (default today), oldest first."""
    on = on or today()
    this_month = f"{on.year:04d}-{on.month:02d}"
    return [add_months(this_month, -k) for k in range(count, 0, -1)]
