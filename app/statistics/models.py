"""Summary tables of the dashboard, rebuilt from the case tables by :mod:`app.statistics.refresh`.

Each table holds counts (``n``) per combination of its keys, so every panel reads a few thousand
rows however many cases there are. The tables by day also hold one row per month (``grain``
``m``) so that a year's figures read twelve months instead of 365 days. Durations are kept as
histograms over whole working days (``workdays``), which makes medians and 90th percentiles
exact on that scale.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Float, Index, Integer, String, Table

from app.db import JSON_TYPE, Base, UTCDateTime

_meta = Base.metadata


def _keys() -> list[Column]:
    return [Column("district", String(64), nullable=False), Column("housing_type", String(16), nullable=False)]


def _grain() -> Column:
    """``d``: the row counts one day; ``m``: one month (``day`` is its first), summed from the days."""
    return Column("grain", String(1), nullable=False)


#: working days numbered in order: days between two dates = difference of their numbers
workday = Table("stat_workday", _meta, Column("day", Date, primary_key=True),
                Column("workday_no", Integer, nullable=False))

#: applications received / approved / rejected / withdrawn per day (decision day for decisions)
applications = Table("stat_application", _meta, Column("day", Date, nullable=False), *_keys(),
                     Column("measure", String(16), nullable=False), Column("reason_code", String(64), nullable=False),
                     Column("reason_text", String(255), nullable=False), Column("n", Integer, nullable=False), _grain())

#: finished steps (and whole cases, step ``全流程``) by completion day and working days taken
durations = Table("stat_duration", _meta, Column("day", Date, nullable=False), *_keys(),
                  Column("step", String(64), nullable=False), Column("workdays", Integer, nullable=False),
                  Column("on_time", Boolean, nullable=True), Column("n", Integer, nullable=False), _grain())

#: steps open at refresh time, overdue or not
open_tasks = Table("stat_open_task", _meta, *_keys(), Column("step", String(64), nullable=False),
                   Column("overdue", Boolean, nullable=False), Column("n", Integer, nullable=False))

#: households waiting at refresh time, by days waited
waiting = Table("stat_waiting", _meta, *_keys(), Column("household_type", String(24), nullable=False),
                Column("priority_group", String(255), nullable=False), Column("waited_days", Integer, nullable=False),
                Column("n", Integer, nullable=False))

#: offers by the day they were made and their answer
offers = Table("stat_offer", _meta, Column("day", Date, nullable=False), *_keys(),
               Column("status", String(16), nullable=False), Column("n", Integer, nullable=False), _grain())

#: verification calls (the job table) by source, outcome and latency bucket (ms)
source_calls = Table("stat_source_call", _meta, Column("day", Date, nullable=False),
                     Column("district", String(64), nullable=False), Column("source", String(64), nullable=False),
                     Column("outcome", String(16), nullable=False), Column("latency_ms", Integer, nullable=False),
                     Column("n", Integer, nullable=False), _grain())

#: verification results by source, method (automatic / manual) and verdict
source_checks = Table("stat_source_check", _meta, Column("day", Date, nullable=False),
                      Column("district", String(64), nullable=False), Column("source", String(64), nullable=False),
                      Column("method", String(16), nullable=False), Column("verdict", String(16), nullable=False),
                      Column("n", Integer, nullable=False), _grain())

#: complaints by filing day: their state at refresh time, working days to the first answer (None while
#: unanswered) and whether it came within the deadline, the latest rating, whether it was reopened
complaints = Table("stat_complaint", _meta, Column("day", Date, nullable=False),
                   Column("district", String(64), nullable=False), Column("category", String(32), nullable=False),
                   Column("channel", String(16), nullable=False), Column("status", String(16), nullable=False),
                   Column("overdue", Boolean, nullable=False), Column("workdays", Integer, nullable=True),
                   Column("on_time", Boolean, nullable=True), Column("rating", Integer, nullable=True),
                   Column("reopened", Boolean, nullable=False), Column("n", Integer, nullable=False), _grain())

#: when the summaries were last rebuilt (one row)
refresh_log = Table("stat_refresh", _meta, Column("id", Integer, primary_key=True),
                    Column("refreshed_at", UTCDateTime, nullable=False), Column("seconds", Float, nullable=False),
                    Column("districts", JSON_TYPE, nullable=False))

for _table in (applications, durations, offers, source_calls, source_checks, complaints):
    Index(f"ix_{_table.name}_district_day", _table.c.grain, _table.c.district, _table.c.day)
    Index(f"ix_{_table.name}_day", _table.c.grain, _table.c.day)
