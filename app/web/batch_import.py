"""Batch import of applications from CSV / XLSX."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.web.session_auth import login_required

bp = Blueprint("batch_import", __name__, url_prefix="/batch-import")


@bp.get("")
@login_required("city_reviewer", "district_reviewer", "operator")
def index():
    """The upload form and recent imports."""
    return render_template("batch_import/index.html", imports=[])
