"""The supervision officer's page: the district's risk warnings with the rule and its evidence."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.supervision import service
from app.web import errors
from app.web.nav import REVIEWERS
from app.web.session_auth import login_required, require_user

#: the name starts with "web" so the pages get the site's menu and user (see app.web._template_globals)
bp = Blueprint("web_supervision", __name__, url_prefix="/supervision", template_folder="templates")
errors.register(bp)


@bp.route("")
@login_required(*REVIEWERS)
def warnings():
    """Open warnings (or, with ``?all=1``, also the decided ones) of the officer's district."""
    everything = request.args.get("all") == "1"
    rows = service.warnings_for(require_user(), include_closed=everything)
    return render_template("supervision/warnings.html", rows=rows, everything=everything)


@bp.route("/notices")
@login_required("applicant")
def notices():
    """The tenant's rectification notices (整改通知), with the items and the deadline."""
    return render_template("supervision/notices.html", notices=service.notices_for(require_user()))
