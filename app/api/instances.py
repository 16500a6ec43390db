"""Process instances: start, read, history, fire timers."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.auth import current_identity, requires
from app.api.schemas import StartInstanceRequest
from app.db import db
from app.services import access, audit_service, instance_service

bp = Blueprint("instances", __name__)


@bp.post("/process-instances")
@requires()
def start():
    """Start the newest version of a process whose diagram lets the caller's role start it.

    The start event's ``startRoles`` decide who may (403 ``start_not_permitted`` otherwise);
    staff of a district start only for it.
    """
    identity = current_identity()
    body = StartInstanceRequest().load(request.get_json(silent=True) or {})
    instance = instance_service.start_as(identity, body["process_key"], body["data"], body["business_key"])
    details = instance_service.get_instance(instance.id)
    return jsonify(_present(details, full=False)), 201, {"Location": f"/api/v1/process-instances/{instance.id}"}


@bp.get("/process-instances/<instance_id>")
@requires()
def get(instance_id: str):
    """Status, version, data, ready tasks, waiting events and incidents of an instance.

    ID numbers are masked; ``?full_ids=true`` shows them to roles that need them, and each
    such view is recorded in the audit trail.
    """
    identity = current_identity()
    details = instance_service.get_instance(instance_id)
    access.assert_can_view_instance(identity, details)
    full = request.args.get("full_ids", "").lower() == "true" and identity.can_view_full_id
    if full:
        with db.transaction() as session:
            audit_service.record(session, identity.username, "pii.full_view", "process_instance",
                                 instance_id, {"fields": "data"}, instance_id=instance_id)
    return jsonify(_present(details, full=full, identity=identity))


def _present(details: dict, full: bool, identity=None) -> dict:
    identity = identity or current_identity()
    out = dict(details)
    out["data"] = access.redact(identity, details["data"], full)
    return out


@bp.get("/process-instances/<instance_id>/history")
@requires()
def history(instance_id: str):
    """Completed flow nodes in order: bpmn id, name, type, completion time, actor."""
    identity = current_identity()
    details = instance_service.get_instance(instance_id)
    access.assert_can_view_instance(identity, details)
    return jsonify(items=instance_service.history(instance_id))


@bp.post("/process-instances/<instance_id>/timers/fire")
@requires("operator", "admin")
def fire_timers(instance_id: str):
    """Fire every timer the instance waits for now (operators; demos)."""
    return jsonify(instance_service.fire_timers_as(current_identity(), instance_id))
