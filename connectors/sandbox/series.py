"""Monthly series the fixture records describe: payments, deposits, tax declarations.

A record with ``since`` (``YYYY-MM``), optional ``until`` and ``missing_months_ago`` (1 = last
month) stands for one entry per month from ``since`` to ``until`` (or to last month), minus
the missing months. Counting back from the current month keeps the fixtures true whenever the
tests run.
"""

from __future__ import annotations

from typing import Any

from connectors.base.dates import add_months, iso_month, last_full_months, month_range, today


def last_month() -> str:
    """The month before the current one, ``YYYY-MM``."""
    return last_full_months(1)[0]


def _missing(record: dict[str, Any]) -> set[str]:
    this_month = iso_month(today())
    return {add_months(this_month, -k) for k in record.get("missing_months_ago") or []}


def paid_months(record: dict[str, Any], first: str | None = None, last: str | None = None) -> list[str]:
    """The months with an entry, limited to ``first``…``last`` when given, oldest first."""
    start = iso_month(record.get("since") or record.get("opened"))
    end = iso_month(record.get("until")) or last_month()
    end = min(end, last_month())
    if first:
        start = max(start, first)
    if last:
        end = min(end, last)
    missing = _missing(record)
    return [m for m in month_range(start, end) if m not in missing]


def continuous_months(record: dict[str, Any]) -> int:
    """Months paid without a break, counting back from last month (0 if last month is unpaid)."""
    paid = set(paid_months(record))
    count = 0
    month = last_month()
    while month in paid:
        count += 1
        month = add_months(month, -1)
    return count


def months_from_query(value: str) -> str:
    """``202511`` or ``2025-11`` → ``2025-11``."""
    month = iso_month(value)
    if month is None:
        raise ValueError("empty month")
    return month
