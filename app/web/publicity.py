"""The public publication (公示) page and its objection form."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("publicity", __name__, url_prefix="/publicity")


@bp.get("")
def index():
    """Current publication lists (masked names only)."""
    return render_template("publicity/index.html", publications=[])
