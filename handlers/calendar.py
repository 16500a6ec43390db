"""Working-day deadlines as a service task, on China's official calendar (``app.engine.workdays``).

Scripts and timers have ``workdays_from_now(n)`` and ``add_working_days(start, n)``; this
operator gives the same to a diagram that wants the deadline as data with the calendar's
coverage note (a year the holiday package does not know yet is computed from weekends and the
fixed holidays, and the note says so).
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields, validate

from app.engine import workdays
from app.engine.operators import operator
from handlers.records import as_datetime


class DeadlineParams(Schema):
    """Parameters of ``calendar/deadline``."""

    days = fields.Integer(required=True, validate=validate.Range(min=0, max=3650),
                          metadata={"description": "working days"})
    start = fields.String(load_default=None, metadata={"description": "ISO start (default: now)"})


def deadline(days: int, start: str | None = None) -> dict:
    """The end of the ``days``-th working day after ``start`` (China time)."""
    begin = as_datetime(start) or workdays.now_utc()
    end = workdays.add_working_days(begin, days)
    last_day = (end - timedelta(seconds=1)).astimezone(workdays.CHINA_TZ).date()
    return {"deadline_at": end.isoformat(), "deadline_on": last_day.isoformat(),
            "coverage_note": workdays.coverage_note(last_day)}


@operator("calendar/deadline", params=DeadlineParams)
def deadline_operator(params: dict, ctx) -> dict:
    """A deadline n working days after a start, skipping holidays and counting make-up workdays."""
    return deadline(params["days"], params["start"])
