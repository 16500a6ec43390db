"""The public publication (公示) page and its real-name objection form (rate-limited per address)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.services import publicity_service
from app.services.errors import ValidationFailed
from app.web import ratelimit
from app.web.i18n import t

bp = Blueprint("publicity", __name__, url_prefix="/publicity")


@bp.get("")
def index():
    """Current publication lists (masked names only)."""
    return render_template("publicity/index.html", publications=publicity_service.open_lists())


@bp.route("/objection/<application_no>", methods=["GET", "POST"])
def objection(application_no: str):
    """File a real-name objection to one published case."""
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("name", "id_number", "phone", "content")}
        if not ratelimit.OBJECTIONS.allow(ratelimit.client_key()):
            abort(429)
        try:
            receipt = publicity_service.file_objection(application_no, **values)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            flash(t("异议已受理，回执号 {receipt}", receipt=receipt["receipt"]), "ok")
            return redirect(url_for("web.publicity.index"))
    return render_template("publicity/objection.html", application_no=application_no, values=values,
                           errors=errors), status
