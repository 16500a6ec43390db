"""Step deadlines as reviewers see them: working days left, or overdue, on China's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.engine import workdays

#: at or below this many working days left a deadline shows as "soon"
SOON = 1


@dataclass(frozen=True)
class Sla:
    """A deadline's state: ``ok`` / ``soon`` / ``today`` / ``overdue`` / ``none``."""

    state: str
    days: int = 0

    @property
    def css(self) -> str:
        """The badge colour class."""
        return {"ok": "ok", "soon": "warn", "today": "bad", "overdue": "bad"}.get(self.state, "none")


def sla_of(due_at: datetime | None, now: datetime | None = None) -> Sla:
    """Where a task stands against its deadline, counted in working days.

    A due time is the end of its last working day (see ``add_working_days``), so the due *day*
    is the day just before it. ``days`` is the working days left after today up to that day, or
    for an overdue task the working days since it.
    """
    if due_at is None:
        return Sla("none")
    now = now or workdays.now_utc()
    due_day = (due_at - timedelta(microseconds=1)).astimezone(workdays.CHINA_TZ).date()
    today = now.astimezone(workdays.CHINA_TZ).date()
    if due_at <= now:
        return Sla("overdue", max(1, workdays.working_days_between(due_day, today)))
    left = workdays.working_days_between(today, due_day)
    if due_day == today:
        return Sla("today", 0)
    return Sla("soon" if left <= SOON else "ok", left)
