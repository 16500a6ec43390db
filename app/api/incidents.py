"""Incidents and their retry."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.auth import current_identity, requires
from app.api.schemas import IncidentQuery
from app.services import incident_service

bp = Blueprint("incidents", __name__)


@bp.get("/incidents")
@requires("operator", "admin", "integrator")
def list_incidents():
    """Incidents, newest first (open ones by default)."""
    q = IncidentQuery().load(request.args.to_dict())
    return jsonify(items=incident_service.list_incidents(q["status"] or None, q.get("instance_id"), q["limit"]))


@bp.post("/incidents/<int:incident_id>/retry")
@requires("operator", "admin")
def retry(incident_id: int):
    """Retry the failed job or task of an incident."""
    return jsonify(incident_service.retry(current_identity(), incident_id))
