"""The 投诉与满意度 panel: complaints received, answered and open, time to first answer, ratings.

Read from ``stat_complaint`` (see :mod:`app.statistics.refresh`). Complaints count by the day they
were filed: the period's complaints, with their state at refresh time; the "now" table counts
every complaint still open in scope, whenever it was filed. Complaints have no housing type, so
the housing-type filter does not narrow this panel.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import text

from app.statistics import labels
from app.statistics import service as s

#: complaints filed in the period, per key, with the state of each at refresh time
_ROWS = ("SELECT district, category, channel, status, workdays, on_time, rating, reopened, sum(n) "
         "FROM stat_complaint {where} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8")


def _bucket() -> dict[str, Any]:
    return {"received": 0, "answered": 0, "open": 0, "info": 0, "days": defaultdict(int), "on_time": 0,
            "rated": 0, "rating_sum": 0}


def _figures(b: dict) -> dict:
    answered = sum(b["days"].values())
    return {"received": b["received"], "answered": b["answered"], "open": b["open"], "awaiting_info": b["info"],
            "median_days": s.percentile(b["days"], 0.5), "p90_days": s.percentile(b["days"], 0.9),
            "on_time_rate": s._rate(b["on_time"], answered),
            "average_rating": round(b["rating_sum"] / b["rated"], 2) if b["rated"] else None}


def build(session, f: s.Filters) -> list[dict]:
    where, params = s._where(f, housing=False)
    total = _bucket()
    by_dim: dict[str, defaultdict[str, dict[str, Any]]] = {
        dim: defaultdict(_bucket) for dim in ("category", "district", "channel")}
    ratings: dict[int, int] = dict.fromkeys(range(1, 6), 0)
    reopened = 0
    for district, category, channel, status, days, on_time, rating, was_reopened, n in session.execute(
            text(_ROWS.format(where=where)), params).all():
        n = int(n)
        keys = {"category": category, "district": district, "channel": labels.channel(channel)}
        for b in (total, *(by_dim[dim][keys[dim]] for dim in by_dim)):
            b["received"] += n
            b[{"answered": "answered", "info": "info"}.get(status, "open")] += n
            if days is not None:
                b["days"][days] += n
                b["on_time"] += n if on_time else 0
            if rating is not None:
                b["rated"] += n
                b["rating_sum"] += rating * n
        if rating is not None:
            ratings[rating] = ratings.get(rating, 0) + n
            reopened += n if was_reopened else 0
    where_now, params_now = s._where(f, day=False, housing=False)
    now = session.execute(text(
        f"SELECT status, overdue, sum(n) FROM stat_complaint {where_now} {'AND' if where_now else 'WHERE'} "
        "grain = 'd' AND status <> 'answered' GROUP BY 1, 2"), params_now).all()
    open_now = {"open": 0, "awaiting_info": 0, "overdue": 0}
    for status, overdue, n in now:
        open_now["awaiting_info" if status == "info" else "open"] += int(n)
        open_now["overdue"] += int(n) if overdue else 0

    cols = [("received", "收到投诉"), ("answered", "已答复"), ("open", "办理中"), ("awaiting_info", "待补充"),
            ("median_days", "首次答复中位（工作日）"), ("p90_days", "首次答复 P90（工作日）"),
            ("on_time_rate", "按期答复率 %"), ("average_rating", "平均评分")]

    def grouped(dim: str) -> list[dict]:
        return [{dim: k, **_figures(v)} for k, v in sorted(by_dim[dim].items())]

    rated = sum(ratings.values())
    return [
        s.table("totals", "投诉总量", cols, [_figures(total)]),
        s.table("open_now", "当前在办投诉", [("open", "在办"), ("awaiting_info", "待补充"), ("overdue", "当前超期")],
                [open_now]),
        s.table("by_category", "按投诉类别", [("category", "投诉类别"), *cols], grouped("category"),
                {"type": "bar", "x": "category", "series": ["received", "answered"]}),
        s.table("by_district", "按区县", [("district", "区县"), *cols], grouped("district"),
                {"type": "bar", "x": "district", "series": ["received", "answered"]}),
        s.table("by_channel", "按受理渠道", [("channel", "受理渠道"), *cols], grouped("channel"),
                {"type": "bar", "x": "channel", "series": ["received"]}),
        s.table("satisfaction", "满意度", [("rated", "已评价"), ("average_rating", "平均评分"),
                                         ("reopened_rate", "重新办理率 %")],
                [{"rated": rated, "average_rating": round(sum(k * v for k, v in ratings.items()) / rated, 2)
                  if rated else None, "reopened_rate": s._rate(reopened, rated)}]),
        s.table("ratings", "评分分布", [("rating", "评分"), ("n", "件数")],
                [{"rating": k, "n": v} for k, v in sorted(ratings.items())],
                {"type": "bar", "x": "rating", "series": ["n"]}),
    ]
