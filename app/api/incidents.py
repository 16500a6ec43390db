"""Incidents and their retry."""

from __future__ import annotations

from flask import Blueprint, request

from app.api import responses as r
from app.api.auth import current_identity, requires
from app.api.openapi import operation
from app.api.schemas import IncidentQuery
from app.services import incident_service

bp = Blueprint("incidents", __name__)


@bp.get("/incidents")
@requires("operator", "admin", "integrator")
@operation("Incidents, newest first", tag="incidents", query=IncidentQuery, responses={200: r.Incidents})
def list_incidents():
    """Incidents, newest first (open ones by default)."""
    q = IncidentQuery().load(request.args.to_dict())
    return {"items": incident_service.list_incidents(q["status"] or None, q.get("instance_id"), q["limit"])}


@bp.post("/incidents/<int:incident_id>/retry")
@requires("operator", "admin")
@operation("Retry an incident's job or task", tag="incidents", responses={200: r.Incident}, errors=(409,))
def retry(incident_id: int):
    """Retry the failed job or task of an incident."""
    return incident_service.retry(current_identity(), incident_id)
