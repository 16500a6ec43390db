"""房源库 pages: the list with vacancy figures and filters, a unit (edit, status, history), add, import."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app.services import batch_import_rows
from app.services.errors import ValidationFailed
from app.stock import service, sheet
from app.stock.catalogue import HOUSING_TYPES, LAYOUTS, MANUAL, RENT_BASES, STATUSES
from app.web import errors
from app.web.i18n import t, translate
from app.web.session_auth import login_required, require_user

#: the name starts with "web" so the pages get the site's menu and user
bp = Blueprint("web_stock", __name__, url_prefix="/stock", template_folder="templates")
errors.register(bp)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = ("code", "project", "district", "address", "building", "room_no", "housing_type", "layout", "usable_area",
          "floor", "rent_basis", "rent_rate", "has_lift", "facilities")


def _choices() -> dict:
    return {"housing_types": HOUSING_TYPES, "layouts": list(LAYOUTS), "statuses": STATUSES, "rent_bases": RENT_BASES,
            "layout_options": [(name, name) for name in LAYOUTS], "titles": sheet.TITLES}


@bp.get("")
@login_required(*service.ROLES)
def index():
    """Vacancy figures, then the units by district, housing type, layout and status."""
    identity = require_user()
    filters = service.Filters(**{k: request.args.get(k, "").strip()[:64]
                                 for k in ("district", "housing_type", "layout", "status")})
    return render_template("stock/index.html", units=service.list_units(identity, filters),
                           vacancy=service.vacancy(identity, filters.district), filters=filters,
                           districts=service.districts(identity), **_choices())


def _form(values: dict) -> dict:
    data = {k: request.form.get(k, "").strip() for k in FIELDS}
    data["has_lift"] = "是" if request.form.get("has_lift") else "否"
    return {**values, **data}


@bp.route("/units/new", methods=["GET", "POST"])
@login_required(*service.ROLES)
def new_unit():
    """Add one unit by hand."""
    identity = require_user()
    values = {"district": identity.district or "", "housing_type": "gongzufang", "rent_basis": "per_m2"}
    if request.method == "POST":
        values = _form(values)
        try:
            unit = service.add_unit(identity, values)
        except ValidationFailed as exc:
            flash(t("请检查标红的项目"), "error")
            return render_template("stock/edit.html", values=values, errs=exc.errors, new=True, **_choices()), 422
        flash(t("已登记房源 {code}", code=unit["code"]), "ok")
        return redirect(url_for(".unit", code=unit["code"]))
    return render_template("stock/edit.html", values=values, errs={}, new=True, **_choices())


@bp.route("/units/<code>", methods=["GET", "POST"])
@login_required(*service.ROLES)
def unit(code: str):
    """One unit: its data (editable), its status history and the status changes staff may make."""
    identity = require_user()
    current = service.get_unit(identity, code)
    values = {**current, "has_lift": "是" if current["has_lift"] else "否",
              "facilities": "、".join(current["facilities"])}
    if request.method == "POST":
        values = _form(values)
        try:
            service.edit_unit(identity, code, values)
        except ValidationFailed as exc:
            flash(t("请检查标红的项目"), "error")
            return render_template("stock/edit.html", values=values, errs=exc.errors, new=False, unit=current,
                                   moves=_moves(current), **_choices()), 422
        flash(t("已保存房源 {code}", code=code), "ok")
        return redirect(url_for(".unit", code=code))
    return render_template("stock/edit.html", values=values, errs={}, new=False, unit=current,
                           moves=_moves(current), **_choices())


def _moves(unit: dict) -> list[str]:
    return sorted(to for frm, to in MANUAL if frm == unit["status"])


@bp.post("/units/<code>/status")
@login_required(*service.ROLES)
def change_status(code: str):
    """Take the unit off the market or put it back, with the reason."""
    try:
        service.set_status(require_user(), code, request.form.get("status", ""), request.form.get("reason", ""))
    except ValidationFailed as exc:
        flash(translate(next(iter(exc.errors.values()))[0] if exc.errors else exc.detail), "error")
    else:
        flash(t("房源状态已变更"), "ok")
    return redirect(url_for(".unit", code=code))


@bp.route("/import", methods=["GET", "POST"])
@login_required(*service.ROLES)
def import_units():
    """Upload a CSV / XLSX sheet; show what was added and every row's problem."""
    identity = require_user()
    result = None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(t("请选择要上传的文件"), "error")
            return redirect(url_for(".import_units"))
        try:
            result = service.import_units(identity, upload.filename,
                                          upload.stream.read(batch_import_rows.MAX_BYTES + 1))
        except ValidationFailed as exc:
            flash(translate(exc.detail), "error")
            return redirect(url_for(".import_units"))
    return render_template("stock/import.html", result=result, scope=None if identity.is_admin else identity.district,
                           titles=[title for _k, title in sheet.COLUMNS], layouts=list(LAYOUTS))


@bp.get("/template.<fmt>")
@login_required(*service.ROLES)
def template(fmt: str):
    """The sheet to fill in, as CSV or XLSX."""
    if fmt == "xlsx":
        body, mimetype = sheet.template_xlsx(), XLSX
    else:
        body, mimetype = sheet.template_csv(), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=housing-stock-template.{fmt}"})
