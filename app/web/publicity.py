"""The public publication (公示) page and its real-name objection form (rate-limited per address).

Both call ``app.services.publication_service``: the lists hold only masked names, application
numbers, districts and household sizes; an objection goes to the case it names.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.auth import ratelimit
from app.services import forms, publication_service
from app.services.errors import ValidationFailed
from app.web import schema_form
from app.web.i18n import t

bp = Blueprint("publicity", __name__, url_prefix="/publicity")
OBJECTION_UI = "objection.uischema.json"


@bp.get("")
def index():
    """Current publication lists (masked names only)."""
    return render_template("publicity/index.html", publications=publication_service.current_publications())


@bp.route("/objection/<application_no>", methods=["GET", "POST"])
def objection(application_no: str):
    """File a real-name objection to one published case."""
    schema = forms.load_form(publication_service.OBJECTION_FORM)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        if not ratelimit.OBJECTIONS.allow(ratelimit.client_key()):
            abort(429)
        values = schema_form.parse(schema, request.form) | {"application_no": application_no}
        try:
            receipt = publication_service.file_objection(values)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            flash(t("异议已受理，回执号 {receipt}", receipt=f"YY{receipt['objection_id']:08d}"), "ok")
            return redirect(url_for("web.publicity.index"))
    fields = [f for f in schema_form.build(schema, forms.load_form(OBJECTION_UI), values, errors)
              if f.name != "application_no"]
    return render_template("publicity/objection.html", application_no=application_no, schema=schema,
                           fields=fields), status
