"""在线选房 pages: the household's round (live units, its turn, the pick) and the staff's progress.

Both pages hold a live part that the browser fetches again every few seconds (``…/live``), so
a unit another household takes disappears and the turn moves on without a reload.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.choice import service
from app.stock.catalogue import HOUSING_TYPES
from app.web import errors
from app.web.i18n import t, translate
from app.web.session_auth import login_required, require_user

#: the name starts with "web" so the pages get the site's menu and user
bp = Blueprint("web_choice", __name__, url_prefix="/choice", template_folder="templates",
               static_folder="static", static_url_path="/static")
errors.register(bp)
#: seconds between two refreshes of the live part
REFRESH_SECONDS = 5


def _names() -> dict:
    return {"turn_status": service.TURN_STATUS, "round_status": service.ROUND_STATUS, "housing_types": HOUSING_TYPES,
            "refresh_seconds": REFRESH_SECONDS}


@bp.get("/<round_no>")
@login_required("applicant")
def round_page(round_no: str):
    """The household's page: its place, whose turn it is, the units it may still choose."""
    return render_template("choice/round.html", r=service.for_household(require_user(), round_no), **_names())


@bp.get("/<round_no>/live")
@login_required("applicant")
def round_live(round_no: str):
    """The live part of the household's page."""
    return render_template("choice/_household.html", r=service.for_household(require_user(), round_no), **_names())


@bp.post("/<round_no>/choice")
@login_required("applicant")
def choose(round_no: str):
    """Take the unit; the loser of a race reads why and chooses again from the refreshed list."""
    try:
        chosen = service.choose(require_user(), round_no, request.form.get("unit_code", ""))
    except (service.UnitTaken, service.NotYourTurn, service.ValidationFailed) as exc:
        flash(translate(exc.detail), "error")
    else:
        flash(t("您已选定房源 {code}（{address}），请等待签约通知。", code=chosen["unit_code"],
                address=chosen["address"]), "ok")
    return redirect(url_for(".round_page", round_no=round_no))


@bp.get("/<round_no>/progress")
@login_required(*service.STAFF_ROLES)
def progress(round_no: str):
    """The staff's page: every household in rank order, whose turn it is, the units left."""
    return render_template("choice/progress.html", p=service.progress(require_user(), round_no), **_names())


@bp.get("/<round_no>/progress/live")
@login_required(*service.STAFF_ROLES)
def progress_live(round_no: str):
    """The live part of the progress page."""
    return render_template("choice/_progress.html", p=service.progress(require_user(), round_no), **_names())
