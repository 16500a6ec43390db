"""The dashboard's figures: five panels read from the summary tables, scoped to the caller.

Every panel is a dict ``{key, title, refreshed_at, filters, tables}``; each table has ``columns``
(``key``, Chinese ``label``), ``rows`` (dicts keyed by column) and a ``chart`` hint the page
draws with ECharts. The page, the JSON API and the XLSX export all show these same tables.

Percentiles are nearest-rank over whole working days: the smallest value with at least ``p`` of
the counted items at or below it. Latencies are kept in buckets doubling from 50 ms, so a
latency percentile is the upper bound of its bucket (the true value is at most that).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from app.auth.identity import Identity
from app.db import db
from app.engine import workdays
from app.l10n import Message
from app.services.errors import Forbidden, ValidationFailed
from app.statistics import labels
from app.statistics.refresh import END_TO_END

ROLES = ("manager", "admin")
PANELS = ("applications", "processing", "waiting", "verification", "complaints")
#: at most this many days in one query (ten years)
MAX_DAYS = 3660


@dataclass(frozen=True)
class Filters:
    """What a manager asked for: a period (China dates, inclusive), a district, a housing type."""

    start: date
    end: date
    district: str | None = None
    housing_type: str | None = None

    @property
    def monthly(self) -> bool:
        return (self.end - self.start).days > 62

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "district": self.district or "",
                "housing_type": self.housing_type or ""}


def default_filters() -> Filters:
    """The last twelve months up to today."""
    today = workdays.now_utc().astimezone(workdays.CHINA_TZ).date()
    return Filters(today - timedelta(days=364), today)


def make_filters(start: date | None = None, end: date | None = None, district: str | None = None,
                 housing_type: str | None = None) -> Filters:
    """Filters from request values (missing dates default to the last twelve months)."""
    base = default_filters()
    f = Filters(start or (end - timedelta(days=364) if end else base.start), end or base.end,
                district or None, housing_type or None)
    if f.end < f.start:
        raise ValidationFailed("结束日期早于开始日期", errors={"end": ["结束日期早于开始日期"]})
    if (f.end - f.start).days > MAX_DAYS:
        raise ValidationFailed("统计期间最长十年", errors={"start": ["统计期间最长十年"]})
    if f.housing_type and f.housing_type not in labels.HOUSING_TYPES:
        raise ValidationFailed("未知的住房类型", errors={"housing_type": ["未知的住房类型"]})
    return f


def scoped(identity: Identity, filters: Filters) -> Filters:
    """The filters this identity may use: a district manager sees their own district only."""
    if not identity.has_role(*ROLES):
        raise Forbidden("只有管理人员可以查看统计分析")
    if identity.is_admin or not identity.district:
        return filters
    if filters.district and filters.district != identity.district:
        raise Forbidden(Message("statistics.district_only", district=identity.district))
    return replace(filters, district=identity.district)


def panel(identity: Identity, key: str, filters: Filters) -> dict:
    """One panel's tables for ``identity`` (raises Forbidden outside its scope)."""
    if key not in PANELS:
        raise ValidationFailed(Message("statistics.no_panel", key=key), errors={"panel": ["未知的统计面板"]})
    f = scoped(identity, filters)
    with db.session() as session:
        tables = _BUILDERS[key](session, f)
        refreshed = session.execute(text("SELECT refreshed_at FROM stat_refresh WHERE id = 1")).scalar()
    return {"key": key, "title": labels.PANEL_TITLES[key], "filters": f.as_dict(),
            "refreshed_at": refreshed.isoformat() + "Z" if refreshed else None, "tables": tables}


def districts(identity: Identity) -> list[str]:
    """The districts a manager may choose from."""
    if identity.district and not identity.is_admin:
        return [identity.district]
    with db.session() as session:
        return session.execute(text("SELECT districts FROM stat_refresh WHERE id = 1")).scalar() or []


# ---- helpers ---------------------------------------------------------------------------------

def _where(f: Filters, day: bool = True, housing: bool = True) -> tuple[str, dict]:
    parts: list[str] = []
    params: dict[str, Any] = {}
    if day:
        parts.append(_period(f, params))
    if f.district:
        parts.append("district = :district")
        params["district"] = f.district
    if housing and f.housing_type:
        parts.append("housing_type = :housing_type")
        params["housing_type"] = f.housing_type
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


def _period(f: Filters, params: dict) -> str:
    """The rows of the period: whole months from the month rows (when shown by month), the rest by day."""
    params.update(start=f.start, end=f.end)
    first = f.start if f.start.day == 1 else _next_month(f.start)
    after = _next_month(f.end) if _next_month(f.end) - timedelta(days=1) == f.end else f.end.replace(day=1)
    if not f.monthly or first >= after:
        return "grain = 'd' AND day BETWEEN :start AND :end"
    params.update(m_first=first, m_after=after)
    return ("((grain = 'm' AND day >= :m_first AND day < :m_after) OR (grain = 'd' AND "
            "((day >= :start AND day < :m_first) OR (day >= :m_after AND day <= :end))))")


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def percentile(histogram: dict[int, int], p: float) -> int | None:
    """Nearest-rank percentile of a {value: count} histogram (None when it is empty)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, -(-total * p // 1)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def table(key: str, title: str, columns: list[tuple[str, str]], rows: list[dict], chart: dict | None = None) -> dict:
    return {"key": key, "title": title, "columns": [{"key": k, "label": v} for k, v in columns], "rows": rows,
            "chart": chart}


# ---- panels ----------------------------------------------------------------------------------

def _applications(session, f: Filters) -> list[dict]:
    where, params = _where(f)
    pattern = ("YYYY-MM", "%Y-%m") if f.monthly else ("YYYY-MM-DD", "%Y-%m-%d")
    period = (f"to_char(day, '{pattern[0]}')" if session.get_bind().dialect.name == "postgresql"
              else f"strftime('{pattern[1]}', day)")
    rows = session.execute(text(
        f"SELECT {period}, housing_type, district, measure, sum(n) FROM stat_application {where} "
        "GROUP BY 1, 2, 3, 4"), params).all()
    measures = ("received", "approved", "rejected", "withdrawn")
    totals = dict.fromkeys(measures, 0)
    by: dict[str, defaultdict[str, dict[str, int]]] = {"period": defaultdict(lambda: dict.fromkeys(measures, 0)),
          "housing_type": defaultdict(lambda: dict.fromkeys(measures, 0)),
          "district": defaultdict(lambda: dict.fromkeys(measures, 0))}
    for per, housing, district, measure, n in rows:
        n = int(n)
        totals[measure] = totals.get(measure, 0) + n
        for dim, value in (("period", per), ("housing_type", labels.housing(housing)), ("district", district)):
            by[dim][value][measure] = by[dim][value].get(measure, 0) + n
    decided = totals["approved"] + totals["rejected"] + totals["withdrawn"]
    cols = [("received", "受理"), ("approved", "通过"), ("rejected", "不予通过")]
    reasons = session.execute(text(
        f"SELECT reason_code, reason_text, sum(n) AS n FROM stat_application {where} "
        f"{'AND' if where else 'WHERE'} measure = 'rejected' GROUP BY 1, 2 ORDER BY n DESC, 1 LIMIT 10"), params).all()

    def grouped(dim: str) -> list[dict]:
        return [{dim: k, **{c: v[c] for c, _ in cols}} for k, v in sorted(by[dim].items())]

    bar = {"type": "bar", "x": None, "series": [c for c, _ in cols]}
    return [
        table("totals", "申请总量", [("received", "受理"), ("decided", "已办结"), ("approved", "通过"),
                                    ("rejected", "不予通过"), ("withdrawn", "撤回"), ("approval_rate", "通过率 %")],
              [{**totals, "decided": decided, "approval_rate": _rate(totals["approved"], decided)}]),
        table("by_period", "按期间", [("period", "期间"), *cols], grouped("period"),
              {**bar, "type": "line", "x": "period"}),
        table("by_housing_type", "按住房类型", [("housing_type", "住房类型"), *cols],
              grouped("housing_type"), {**bar, "x": "housing_type"}),
        table("by_district", "按区县", [("district", "区县"), *cols], grouped("district"),
              {**bar, "x": "district"}),
        table("rejection_reasons", "主要不予通过原因",
              [("reason_code", "规则编号"), ("reason_text", "原因"), ("n", "件数")],
              [{"reason_code": c, "reason_text": t, "n": int(n)} for c, t, n in reasons],
              {"type": "bar", "x": "reason_text", "series": ["n"]}),
    ]


def _processing(session, f: Filters) -> list[dict]:
    where, params = _where(f)
    hist = session.execute(text(
        f"SELECT step, district, workdays, on_time, sum(n) FROM stat_duration {where} GROUP BY 1, 2, 3, 4"),
        params).all()
    where_open, params_open = _where(f, day=False)
    open_rows = session.execute(text(
        f"SELECT step, district, overdue, sum(n) FROM stat_open_task {where_open} GROUP BY 1, 2, 3"),
        params_open).all()

    def bucket():
        return {"days": defaultdict(int), "on_time": 0, "late": 0, "open": 0, "overdue": 0}

    steps: defaultdict[str, dict[str, Any]] = defaultdict(bucket)
    districts: defaultdict[str, dict[str, Any]] = defaultdict(bucket)
    e2e: defaultdict[str, dict[str, Any]] = defaultdict(bucket)
    for step, district, days, on_time, n in hist:
        n = int(n)
        if step == END_TO_END:
            target = (e2e[district], e2e[""])
        else:
            target = (steps[step], districts[district])
        for b in target:
            b["days"][days] += n
            if on_time is not None:
                b["on_time" if on_time else "late"] += n
    for step, district, overdue, n in open_rows:
        for b in (steps[step], districts[district]):
            b["open"] += int(n)
            b["overdue"] += int(n) if overdue else 0

    def figures(b: dict) -> dict:
        return {"finished": sum(b["days"].values()), "median_days": percentile(b["days"], 0.5),
                "p90_days": percentile(b["days"], 0.9), "sla_rate": _rate(b["on_time"], b["on_time"] + b["late"]),
                "open": b["open"], "overdue": b["overdue"]}

    step_cols = [("finished", "已办结"), ("median_days", "中位用时（工作日）"), ("p90_days", "P90 用时（工作日）"),
                 ("sla_rate", "按期完成率 %"), ("open", "在办"), ("overdue", "当前超期")]
    e_all = e2e[""]
    return [
        table("end_to_end", "全流程用时（受理到办结）", [("finished", "已办结"), ("median_days", "中位用时（工作日）"),
                                                  ("p90_days", "P90 用时（工作日）")],
              [{k: v for k, v in figures(e_all).items() if k in ("finished", "median_days", "p90_days")}]),
        table("by_step", "各环节用时与时限", [("step", "环节"), *step_cols],
              [{"step": s, **figures(b)} for s, b in sorted(steps.items(), key=lambda kv: labels.step_order(kv[0]))],
              {"type": "bar", "x": "step", "series": ["median_days", "p90_days"]}),
        table("by_district", "各区县时限执行", [("district", "区县"), *step_cols,
                                           ("e2e_median_days", "全流程中位（工作日）")],
              [{"district": d, **figures(b), "e2e_median_days": percentile(e2e[d]["days"], 0.5)}
               for d, b in sorted(districts.items())],
              {"type": "bar", "x": "district", "series": ["sla_rate"]}),
    ]


def _waiting(session, f: Filters) -> list[dict]:
    where, params = _where(f, day=False)
    rows = session.execute(text(
        f"SELECT household_type, priority_group, waited_days, sum(n) FROM stat_waiting {where} GROUP BY 1, 2, 3"),
        params).all()
    total: defaultdict[int, int] = defaultdict(int)
    by_type: defaultdict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_group: defaultdict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
    for household, groups, days, n in rows:
        n = int(n)
        total[days] += n
        by_type[labels.household(household)][days] += n
        for g in (groups.split(",") if groups else ["一般家庭"]):
            by_group[g][days] += n
    where_o, params_o = _where(f)
    offers = dict(session.execute(text(f"SELECT status, sum(n) FROM stat_offer {where_o} GROUP BY 1"),
                                  params_o).all())
    offered = {k: int(v) for k, v in offers.items()}
    answered = offered.get("accepted", 0) + offered.get("declined", 0)
    wait_cols = [("households", "户数"), ("median_days", "中位轮候天数"), ("p90_days", "P90 轮候天数")]

    def figures(h: dict) -> dict:
        return {"households": sum(h.values()), "median_days": percentile(h, 0.5), "p90_days": percentile(h, 0.9)}

    return [
        table("length", "轮候名单", wait_cols, [figures(total)]),
        table("by_household_type", "按家庭类型", [("household_type", "家庭类型"), *wait_cols],
              [{"household_type": k, **figures(v)} for k, v in sorted(by_type.items())],
              {"type": "bar", "x": "household_type", "series": ["households"]}),
        table("by_priority_group", "按优先群体", [("priority_group", "优先群体"), *wait_cols],
              [{"priority_group": k, **figures(v)} for k, v in sorted(by_group.items())],
              {"type": "bar", "x": "priority_group", "series": ["households"]}),
        table("offers", "配租", [("offers", "配租通知"), ("accepted", "接受"), ("declined", "放弃"),
                               ("expired", "逾期"), ("acceptance_rate", "接受率 %")],
              [{"offers": sum(offered.values()), "accepted": offered.get("accepted", 0),
                "declined": offered.get("declined", 0), "expired": offered.get("expired", 0),
                "acceptance_rate": _rate(offered.get("accepted", 0), answered)}]),
    ]


def _verification(session, f: Filters) -> list[dict]:
    where, params = _where(f, housing=False)
    calls = session.execute(text(
        f"SELECT source, outcome, latency_ms, sum(n) FROM stat_source_call {where} GROUP BY 1, 2, 3"), params).all()
    checks = session.execute(text(
        f"SELECT source, method, verdict, sum(n) FROM stat_source_check {where} GROUP BY 1, 2, 3"), params).all()
    src: defaultdict[str, dict[str, Any]] = defaultdict(
        lambda: {"outcomes": defaultdict(int), "latency": defaultdict(int), "results": 0, "manual": 0})
    for source, outcome, latency, n in calls:
        src[source]["outcomes"][outcome] += int(n)
        if outcome != "pending":
            src[source]["latency"][latency] += int(n)
    for source, method, verdict, n in checks:
        src[source]["results"] += int(n)
        if method == "manual" or verdict == "unavailable":
            src[source]["manual"] += int(n)
    rows = []
    for source, s in sorted(src.items()):
        calls_n = sum(s["outcomes"].values())
        rows.append({"source": labels.source(source), "calls": calls_n, "failed": s["outcomes"]["failed"],
                     "failure_rate": _rate(s["outcomes"]["failed"], calls_n),
                     "retry_rate": _rate(s["outcomes"]["retried"], calls_n),
                     "manual_rate": _rate(s["manual"], s["results"]),
                     "latency_p50_ms": percentile(s["latency"], 0.5), "latency_p90_ms": percentile(s["latency"], 0.9)})
    return [table("by_source", "各数据源核验情况",
                  [("source", "数据源"), ("calls", "调用次数"), ("failed", "失败"), ("failure_rate", "失败率 %"),
                   ("retry_rate", "重试率 %"), ("manual_rate", "人工核验率 %"), ("latency_p50_ms", "延迟 P50 (ms)"),
                   ("latency_p90_ms", "延迟 P90 (ms)")], rows,
                  {"type": "bar", "x": "source", "series": ["failure_rate", "manual_rate"]})]


def _complaints(session, f: Filters) -> list[dict]:
    from app.statistics.complaints import build

    return build(session, f)


_BUILDERS = {"applications": _applications, "processing": _processing, "waiting": _waiting,
             "verification": _verification, "complaints": _complaints}
