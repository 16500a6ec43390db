"""Messages correlated by name and business key."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.auth import current_identity, requires
from app.api.schemas import MessageRequest
from app.auth.identity import STAFF_ROLES
from app.services import message_service

bp = Blueprint("messages", __name__)


@bp.post("/messages")
@requires(*STAFF_ROLES)
def send():
    """Deliver a message to the instances waiting for it (or start one)."""
    body = MessageRequest().load(request.get_json(silent=True) or {})
    result = message_service.send(current_identity(), body["name"], body["business_key"], body["payload"])
    return jsonify(result), 202
