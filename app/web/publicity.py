"""The public publication (公示) page and its real-name objection form (rate-limited per address).

Both call ``app.services.publication_service``: the lists hold only masked names, application
numbers, districts and household sizes; an objection goes to the case it names.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.auth import ratelimit
from app.services import forms, publication_service
from app.services.errors import ValidationFailed
from app.web import schema_form
from app.web.i18n import current_lang, form_text, t, translate

bp = Blueprint("publicity", __name__, url_prefix="/publicity")
OBJECTION_UI = "objection.uischema.json"
#: the date and housing type in a list's title as the publication handler writes it, after the district
TITLE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(.+)资格审核结果公示")


@bp.get("")
def index():
    """Current publication lists (masked names only)."""
    publications = [p | {"title": title(p)} for p in publication_service.current_publications()]
    return render_template("publicity/index.html", publications=publications)


def title(publication: dict) -> str:
    """A list's title in the session's language (in English rebuilt from its parts when it has the usual form)."""
    text, district = publication["title"], publication["district"] or ""
    match = TITLE.fullmatch(text[len(district):]) if text.startswith(district) else None
    if current_lang() == "zh" or match is None:
        return translate(text)
    year, month, day, housing = match.groups()
    return t("{district}{year}年{month}月{day}日{housing}资格审核结果公示", district=form_text(district), year=year,
             month=month.zfill(2), day=day.zfill(2), housing=t(housing))


@bp.route("/objection/<application_no>", methods=["GET", "POST"])
def objection(application_no: str):
    """File a real-name objection to one published case."""
    schema = forms.load_form(publication_service.OBJECTION_FORM)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        if not ratelimit.objection_allowed():
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
