"""The landing page."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("home", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness probe."""
    return jsonify(status="ok")
