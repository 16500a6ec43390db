"""Process instances: start, read, history, fire timers."""

from __future__ import annotations

from flask import Blueprint, request

from app.api import responses as r
from app.api.auth import current_identity, requires
from app.api.openapi import operation
from app.api.schemas import InstanceQuery, StartInstanceRequest
from app.db import db
from app.services import access, audit_service, instance_service

bp = Blueprint("instances", __name__)


@bp.post("/process-instances")
@requires()
@operation("Start the newest version of a process", tag="instances", body=StartInstanceRequest,
           responses={201: r.Instance}, errors=(404,))
def start():
    """Start the newest version of a process whose diagram lets the caller's role start it.

    The start event's ``startRoles`` decide who may (403 ``start_not_permitted`` otherwise);
    staff of a district start only for it. The answer shows the instance as its start committed
    it: service calls it handed to workers are ``queued``.
    """
    identity = current_identity()
    body = StartInstanceRequest().load(request.get_json(silent=True) or {})
    details = instance_service.start_as(identity, body["process_key"], body["data"], body["business_key"])
    return _present(details, full=False), 201, {"Location": f"/api/v1/process-instances/{details['id']}"}


@bp.get("/process-instances/<instance_id>")
@requires()
@operation("Status, version, data, ready tasks, waiting events, incidents", tag="instances",
           query=InstanceQuery, responses={200: r.Instance})
def get(instance_id: str):
    """Status, version, data, ready tasks, waiting events and incidents of an instance.

    ID numbers are masked; ``?full_ids=true`` shows them to roles that need them, and each
    such view is recorded in the audit trail.
    """
    identity = current_identity()
    wants_full = InstanceQuery().load(request.args.to_dict())["full_ids"]
    details = instance_service.get_instance(instance_id)
    access.assert_can_view_instance(identity, details)
    full = wants_full and identity.can_view_full_id
    if full:
        with db.transaction() as session:
            audit_service.record(session, identity.username, "pii.full_view", "process_instance",
                                 instance_id, {"fields": "data"}, instance_id=instance_id)
    return _present(details, full=full, identity=identity)


def _present(details: dict, full: bool, identity=None) -> dict:
    identity = identity or current_identity()
    out = dict(details)
    out["data"] = access.redact(identity, details["data"], full)
    return out


@bp.get("/process-instances/<instance_id>/history")
@requires()
@operation("Completed flow nodes in order", tag="instances", responses={200: r.History})
def history(instance_id: str):
    """Completed flow nodes in order: bpmn id, name, type, completion time, actor."""
    identity = current_identity()
    details = instance_service.get_instance(instance_id)
    access.assert_can_view_instance(identity, details)
    return {"items": instance_service.history(instance_id)}


@bp.post("/process-instances/<instance_id>/timers/fire")
@requires("operator", "admin")
@operation("Fire the instance's waiting timers now", tag="instances", responses={200: r.TimersFired}, errors=(409,))
def fire_timers(instance_id: str):
    """Fire every timer the instance waits for now (operators; demos)."""
    return instance_service.fire_timers_as(current_identity(), instance_id)
