"""Messages correlated by name and business key."""

from __future__ import annotations

from flask import Blueprint, request

from app.api import responses as r
from app.api.auth import current_identity, requires
from app.api.openapi import operation
from app.api.schemas import MessageRequest
from app.auth.identity import STAFF_ROLES
from app.services import message_service

bp = Blueprint("messages", __name__)


@bp.post("/messages")
@requires(*STAFF_ROLES)
@operation("Correlate a message by name and business key (only to instances the caller may see; "
           "supplement_submitted and objection_filed come through their own endpoints, so only an admin may "
           "send them here)", tag="messages", body=MessageRequest, responses={202: r.MessageDelivered},
           errors=(404,))
def send():
    """Deliver a message to the instances waiting for it (or start one)."""
    body = MessageRequest().load(request.get_json(silent=True) or {})
    result = message_service.send(current_identity(), body["name"], body["business_key"], body["payload"])
    return result, 202
