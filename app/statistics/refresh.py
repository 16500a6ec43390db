"""Rebuild the summary tables from the case tables, in one transaction (PostgreSQL).

``housing statistics refresh`` runs :func:`refresh` (from cron or the scheduler host, every few
minutes); the dashboard shows when it last ran. Every figure is a ``GROUP BY`` over the live
tables — ``application``, ``human_task``, ``waiting_list_entry``, ``allocation_offer``, ``job``,
``verification_result`` and ``complaint`` — so the summaries hold nothing the tables do not.

Working days come from :mod:`app.engine.workdays` (China's calendar with 调休) through
``stat_workday``: each date gets the number of working days up to it, so the working days a
step took are the difference of the numbers of its completion day and its start day (China time).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

from sqlalchemy import text

from app.db import db, utcnow
from app.engine import workdays
from app.services.errors import Conflict

#: a timestamp column (naive UTC) as a date in China
LOCAL_DAY = "(({col}) AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Shanghai')::date"
HOUSING = ("CASE WHEN {v} IN ('baozufang', '保租房') THEN 'baozufang' "
           "WHEN {v} IN ('gongzufang', '公租房') THEN 'gongzufang' ELSE '' END")
END_TO_END = "全流程"

_DECIDED_AT = "COALESCE(a.closed_at, ((a.outcome->>'decided_at')::timestamptz AT TIME ZONE 'UTC'))"

_APPLICATIONS = f"""
INSERT INTO stat_application (day, district, housing_type, measure, reason_code, reason_text, n, grain)
SELECT {LOCAL_DAY.format(col='a.submitted_at')}, a.district, a.housing_type, 'received', '', '', count(*), 'd'
FROM application a GROUP BY 1, 2, 3
UNION ALL
SELECT {LOCAL_DAY.format(col=_DECIDED_AT)}, a.district, a.housing_type, a.outcome->>'status',
  CASE WHEN a.outcome->>'status' = 'rejected' THEN left(COALESCE(a.outcome->>'reason_code', ''), 64) ELSE '' END,
  CASE WHEN a.outcome->>'status' = 'rejected' THEN left(COALESCE(a.outcome->>'reason_text', ''), 255) ELSE '' END,
  count(*), 'd'
FROM application a WHERE a.outcome->>'status' IN ('approved', 'rejected', 'withdrawn') AND {_DECIDED_AT} IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
"""

_STEP_DAYS = """
INSERT INTO stat_duration (day, district, housing_type, step, workdays, on_time, n, grain)
SELECT e.day, COALESCE(t.district, ''), {housing}, left(t.name, 64), greatest(e.workday_no - s.workday_no, 0),
  CASE WHEN t.due_at IS NULL THEN NULL ELSE t.completed_at <= t.due_at END, count(*), 'd'
FROM human_task t
JOIN stat_workday s ON s.day = {start_day}
JOIN stat_workday e ON e.day = {end_day}
WHERE t.status = 'completed' AND t.completed_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
""".format(housing=HOUSING.format(v="t.summary->>'housing_type'"), start_day=LOCAL_DAY.format(col="t.created_at"),
           end_day=LOCAL_DAY.format(col="t.completed_at"))

_CASE_DAYS = f"""
INSERT INTO stat_duration (day, district, housing_type, step, workdays, on_time, n, grain)
SELECT e.day, a.district, a.housing_type, '{END_TO_END}', greatest(e.workday_no - s.workday_no, 0), NULL, count(*), 'd'
FROM application a
JOIN stat_workday s ON s.day = {LOCAL_DAY.format(col='a.submitted_at')}
JOIN stat_workday e ON e.day = {LOCAL_DAY.format(col=_DECIDED_AT)}
WHERE a.outcome->>'status' IN ('approved', 'rejected')
GROUP BY 1, 2, 3, 4, 5
"""

_OPEN = """
INSERT INTO stat_open_task (district, housing_type, step, overdue, n)
SELECT COALESCE(t.district, ''), {housing}, left(t.name, 64), COALESCE(t.due_at < :now, false), count(*)
FROM human_task t WHERE t.status = 'ready' GROUP BY 1, 2, 3, 4
""".format(housing=HOUSING.format(v="t.summary->>'housing_type'"))

#: days waited: exact below 60, then the first day of its week (to a year), then of its 30 days
_WAITED = "CASE WHEN {d} < 60 THEN {d} WHEN {d} < 365 THEN {d} - ({d} - 60) % 7 ELSE {d} - ({d} - 365) % 30 END"
_WAITING = f"""
INSERT INTO stat_waiting (district, housing_type, household_type, priority_group, waited_days, n)
SELECT w.district, w.housing_type, COALESCE(a.household_type, ''),
  left(array_to_string(ARRAY(SELECT jsonb_array_elements_text(w.priority_groups) ORDER BY 1), ','), 255),
  {_WAITED.format(d="x.d")}, count(*)
FROM waiting_list_entry w
CROSS JOIN LATERAL (SELECT greatest({LOCAL_DAY.format(col=':now')} - {LOCAL_DAY.format(col='w.registered_at')}, 0)
  AS d) x
LEFT JOIN application a ON a.id = w.application_id
WHERE w.status IN ('waiting', 'offered')
GROUP BY 1, 2, 3, 4, 5
"""

_OFFERS = f"""
INSERT INTO stat_offer (day, district, housing_type, status, n, grain)
SELECT {LOCAL_DAY.format(col='o.offered_at')}, a.district, a.housing_type, o.status, count(*), 'd'
FROM allocation_offer o JOIN application a ON a.id = o.application_id GROUP BY 1, 2, 3, 4
"""

# verification calls: the ``<source>/check`` jobs; latency from request to result
_LATENCY = "extract(epoch FROM (j.updated_at - j.created_at)) * 1000"
#: latency buckets double from 50 ms; each is stored as its upper bound (≤ 50, ≤ 100, ≤ 200 … ms)
_BUCKET = (f"CASE WHEN {_LATENCY} < 50 THEN 50 "
           f"ELSE least(50 * power(2, floor(log(2, ({_LATENCY} / 50.0)::numeric)) + 1), 2000000000)::int END")
_CALLS = f"""
INSERT INTO stat_source_call (day, district, source, outcome, latency_ms, n, grain)
SELECT {LOCAL_DAY.format(col='j.created_at')}, COALESCE(p.summary->>'district', ''), split_part(j.operator, '/', 1),
  CASE WHEN j.state IN ('failed', 'incident') OR (j.state = 'applied' AND j.error_code IS NOT NULL) THEN 'failed'
       WHEN j.state IN ('succeeded', 'applied') AND j.attempts > 1 THEN 'retried'
       WHEN j.state IN ('succeeded', 'applied') THEN 'ok' ELSE 'pending' END,
  {_BUCKET},
  count(*), 'd'
FROM job j JOIN process_instance p ON p.id = j.instance_id
WHERE j.operator LIKE '%/check' AND j.state <> 'cancelled'
GROUP BY 1, 2, 3, 4, 5
"""

_CHECKS = f"""
INSERT INTO stat_source_check (day, district, source, method, verdict, n, grain)
SELECT {LOCAL_DAY.format(col='v.checked_at')}, a.district, v.source, v.method, v.verdict, count(*), 'd'
FROM verification_result v JOIN application a ON a.id = v.application_id GROUP BY 1, 2, 3, 4, 5
"""

# complaints (``complaint`` and its ``handle_complaint`` work orders): a low rating reopens a
# complaint in the step ``重新办理`` with a new deadline, and a work order keeps the step it was
# created in (``summary.step``), so the first round is the orders created before the first order in
# that step; they share its deadline (a transfer or a request for information keeps ``due_at``).
# The first answer is the last of them completed, once that round is over: the complaint was
# reopened, or no order is open and the complainant is not being asked for more information.
_REOPENED_AT = ("(SELECT min(o.created_at) FROM human_task o WHERE o.instance_id = c.instance_id "
                "AND o.bpmn_id = 'handle_complaint' AND o.summary->>'step' = '重新办理')")
_FIRST_ROUND = f"({_REOPENED_AT} IS NULL OR t.created_at < {_REOPENED_AT})"
_ROUND = f"""
SELECT max(t.due_at) FILTER (WHERE {_FIRST_ROUND}) AS due_at,
  {_REOPENED_AT} IS NOT NULL AS reopened,
  COALESCE(bool_or(t.status = 'ready'), false) AS ready,
  COALESCE(bool_or(t.status = 'ready' AND t.due_at < :now), false) AS overdue
FROM human_task t WHERE t.instance_id = c.instance_id AND t.bpmn_id = 'handle_complaint'
"""
_FIRST_ANSWER = f"""
SELECT max(t.completed_at) AS at FROM human_task t
WHERE t.instance_id = c.instance_id AND t.bpmn_id = 'handle_complaint' AND t.status = 'completed'
  AND {_FIRST_ROUND} AND (r.reopened OR (NOT r.ready AND NOT EXISTS (
    SELECT 1 FROM message_subscription m
    WHERE m.instance_id = c.instance_id AND m.message_name = 'complaint_info_added')))
"""
_COMPLAINTS = f"""
INSERT INTO stat_complaint (day, district, category, channel, status, overdue, workdays, on_time, rating, reopened, n,
  grain)
SELECT {LOCAL_DAY.format(col='c.filed_at')}, COALESCE(c.district, ''), left(c.category, 32), c.channel,
  CASE WHEN a.at IS NOT NULL THEN 'answered' WHEN EXISTS (SELECT 1 FROM message_subscription m
    WHERE m.instance_id = c.instance_id AND m.message_name = 'complaint_info_added') THEN 'info' ELSE 'open' END,
  r.overdue, CASE WHEN a.at IS NOT NULL THEN greatest(e.workday_no - s.workday_no, 0) END,
  CASE WHEN a.at IS NOT NULL THEN a.at <= r.due_at END, c.rating, r.reopened, count(*), 'd'
FROM complaint c
CROSS JOIN LATERAL ({_ROUND}) r
LEFT JOIN LATERAL ({_FIRST_ANSWER}) a ON true
LEFT JOIN stat_workday s ON s.day = {LOCAL_DAY.format(col='c.filed_at')}
LEFT JOIN stat_workday e ON e.day = {LOCAL_DAY.format(col='a.at')}
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
"""

#: the tables by day and the keys their month rows sum over
BY_DAY = {
    "stat_application": ("district", "housing_type", "measure", "reason_code", "reason_text"),
    "stat_duration": ("district", "housing_type", "step", "workdays", "on_time"),
    "stat_offer": ("district", "housing_type", "status"),
    "stat_source_call": ("district", "source", "outcome", "latency_ms"),
    "stat_source_check": ("district", "source", "method", "verdict"),
    "stat_complaint": ("district", "category", "channel", "status", "overdue", "workdays", "on_time", "rating",
                       "reopened"),
}
TABLES = ("stat_application", "stat_duration", "stat_open_task", "stat_waiting", "stat_offer", "stat_source_call",
          "stat_source_check", "stat_complaint")


def refresh() -> float:
    """Rebuild every summary table; returns the seconds it took."""
    started = time.perf_counter()
    now = utcnow()
    with db.transaction() as session:
        if session.get_bind().dialect.name != "postgresql":
            raise Conflict("统计汇总需要 PostgreSQL 数据库")
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('housing.statistics.refresh'))"))
        _fill_calendar(session)
        for table in TABLES:  # DELETE, not TRUNCATE: pages keep reading the old rows until this commits
            session.execute(text(f"DELETE FROM {table}"))
        params = {"now": now.replace(tzinfo=None)}
        for sql in (_APPLICATIONS, _STEP_DAYS, _CASE_DAYS, _OPEN, _WAITING, _OFFERS, _CALLS, _CHECKS,
                    _COMPLAINTS):
            session.execute(text(sql), params)
        for table, keys in BY_DAY.items():
            columns = ", ".join(keys)
            session.execute(text(
                f"INSERT INTO {table} (day, {columns}, n, grain) SELECT date_trunc('month', day)::date, {columns}, "
                f"sum(n), 'm' FROM {table} WHERE grain = 'd' GROUP BY 1, {columns}"))
        for table in TABLES:  # the planner must know the new sizes (hash, not sort, aggregates)
            session.execute(text(f"ANALYZE {table}"))
        districts = session.execute(text(
            "SELECT DISTINCT district FROM stat_open_task UNION SELECT DISTINCT district FROM stat_application "
            "UNION SELECT DISTINCT district FROM stat_complaint "
            "ORDER BY 1")).scalars().all()
        seconds = time.perf_counter() - started
        session.execute(text("DELETE FROM stat_refresh"))
        session.execute(text("INSERT INTO stat_refresh (id, refreshed_at, seconds, districts) "
                             "VALUES (1, :at, :s, CAST(:d AS jsonb))"),
                        {"at": params["now"], "s": seconds, "d": json.dumps([d for d in districts if d])})
    return seconds


def _fill_calendar(session) -> None:
    """Number the working days from the oldest timestamp the summaries read to tomorrow."""
    first = session.execute(text(
        f"SELECT least((SELECT min({LOCAL_DAY.format(col='created_at')}) FROM human_task),"
        f" (SELECT min({LOCAL_DAY.format(col='submitted_at')}) FROM application),"
        f" (SELECT min({LOCAL_DAY.format(col='filed_at')}) FROM complaint))")).scalar()
    known = session.execute(text("SELECT min(day), max(day) FROM stat_workday")).one()
    today = utcnow().astimezone(workdays.CHINA_TZ).date()
    start = min(first or today, today) - timedelta(days=1)
    end = today + timedelta(days=1)
    if known[0] is not None and known[0] <= start and known[1] >= end:
        return
    session.execute(text("DELETE FROM stat_workday"))
    rows, number, day = [], 0, start
    while day <= end:
        number += 1 if workdays.is_workday(day) else 0
        rows.append({"day": day, "no": number})
        day += timedelta(days=1)
    session.execute(text("INSERT INTO stat_workday (day, workday_no) VALUES (:day, :no)"), rows)

