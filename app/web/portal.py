"""The applicant portal (一网通办 style): my applications, their progress, my tasks."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.services import portal_service
from app.web.session_auth import login_required, require_user

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("")
@login_required("applicant")
def index():
    """My applications and the tasks waiting for me."""
    identity = require_user()
    return render_template("portal/index.html", cases=portal_service.my_cases(identity),
                           tasks=portal_service.my_tasks(identity))


@bp.get("/cases/<instance_id>")
@login_required("applicant")
def case(instance_id: str):
    """One of my applications with its progress timeline (404 for anyone else's)."""
    return render_template("portal/case.html", case=portal_service.my_case(require_user(), instance_id))
