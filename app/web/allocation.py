"""配租 for allocation officers: start a round over units from the stock (or typed in), the rounds so far, the queue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.services import forms, tenancy_service
from app.services.errors import ValidationFailed
from app.web import schema_form
from app.web.i18n import t
from app.web.session_auth import login_required, require_user

bp = Blueprint("allocation", __name__, url_prefix="/allocation")
ROLES = ("city_reviewer", "district_reviewer")
ROUND_UI = "allocation_round.uischema.json"
#: how the round and queue statuses read on the page
ROUND_STATUS = {"committed": "待开始", "drawn": "已配房，待答复", "choosing": "选房进行中", "closed": "已结束"}
QUEUE_STATUS = {"waiting": "轮候中", "offered": "配租中", "housed": "已配房", "removed": "已移出"}


def _page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    identity = require_user()
    housing_type = request.args.get("housing_type", "gongzufang")
    district = request.args.get("district") or identity.district or "渝中区"
    schema = forms.load_form(tenancy_service.ROUND_FORM)
    initial = values if values is not None else {"housing_type": housing_type, "district": district}
    initial = {**initial, "units": initial.get("units") or [{}]}  # one row to type a unit into
    fields = schema_form.build(schema, forms.load_form(ROUND_UI), initial, errors or {})
    return render_template("allocation.html", fields=fields, rounds=tenancy_service.lottery_rounds(),
                           queue=tenancy_service.waiting_list(identity, housing_type, district),
                           housing_type=housing_type, district=district, round_status=ROUND_STATUS,
                           queue_status=QUEUE_STATUS), status


@bp.get("")
@login_required(*ROLES)
def index():
    """The new-round form, the rounds (seed hash first, seed and order once drawn) and the queue."""
    return _page()


@bp.post("/rounds")
@login_required(*ROLES)
def start_round():
    """Start a 摇号 or 选房 round over the stock units matching the criteria, or the units typed in."""
    values = schema_form.parse(forms.load_form(tenancy_service.ROUND_FORM), request.form)
    try:
        started = tenancy_service.start_allocation_round(require_user(), values)
    except ValidationFailed as exc:
        flash(t("请检查标红的项目"), "error")
        return _page(values, exc.errors, 422)
    flash(t("已发起配租 {no}", no=started["round_no"]), "ok")
    return redirect(url_for("web.allocation.index", housing_type=values.get("housing_type"),
                            district=values.get("district")))
