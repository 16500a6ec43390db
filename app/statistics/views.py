"""统计分析 pages: the dashboard (charts with table views) and the XLSX export of each panel."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request

from app.api.input_guard import refuse_unstorable_input
from app.services.errors import ValidationFailed
from app.statistics import export, labels, service
from app.web import errors
from app.web.i18n import t, translate
from app.web.session_auth import login_required, require_user

bp = Blueprint("web_statistics", __name__, url_prefix="/statistics", template_folder="templates",
               static_folder="static", static_url_path="/static/statistics")
bp.before_request(refuse_unstorable_input)
errors.register(bp)
FILTER_KEYS = ("start", "end", "district", "housing_type")


def _date(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD", errors={name: ["日期格式应为 YYYY-MM-DD"]}) from None


def _filters() -> service.Filters:
    return service.make_filters(_date("start"), _date("end"), request.args.get("district", "").strip()[:64],
                                request.args.get("housing_type", "").strip())


def chart_of(tbl: dict) -> dict | None:
    """The ECharts data of one table: categories from its ``x`` column, one series per column drawn."""
    chart = tbl.get("chart")
    if not chart or not tbl["rows"]:
        return None
    names = {c["key"]: t(c["label"]) for c in tbl["columns"]}
    x = chart["x"]
    return {"type": chart["type"], "categories": [translate(str(r.get(x) or "—")) for r in tbl["rows"]],
            "series": [{"name": names[s], "data": [r.get(s) for r in tbl["rows"]]} for s in chart["series"]]}


@bp.get("")
@login_required(*service.ROLES)
def dashboard():
    """Every panel for the chosen period, district and housing type."""
    identity = require_user()
    f = _filters()
    panels = [service.panel(identity, key, f) for key in service.PANELS]
    return render_template("statistics/dashboard.html", panels=panels, filters=panels[0]["filters"],
                           districts=service.districts(identity), housing_types=labels.HOUSING_TYPES,
                           chart_of=chart_of, scoped=bool(identity.district and not identity.is_admin),
                           query={k: v for k, v in request.args.items() if k in FILTER_KEYS})


@bp.get("/<panel>.xlsx")
@login_required(*service.ROLES)
def download(panel: str):
    """One panel's numbers (or one table's, with ``table=``) as an Excel workbook."""
    data = service.panel(require_user(), panel, _filters())
    wanted = request.args.get("table")
    if wanted:
        data["tables"] = [x for x in data["tables"] if x["key"] == wanted]
        if not data["tables"]:
            raise ValidationFailed("没有这个统计表", errors={"table": ["没有这个统计表"]})
    body = export.workbook(data, translate=lambda s: translate(t(s)))
    name = f"statistics-{panel}-{data['filters']['start']}-{data['filters']['end']}.xlsx"
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
