"""Tokens, operators and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.auth import current_identity, requires
from app.api.openapi import spec
from app.api.schemas import TokenRequest
from app.auth import ratelimit, tokens
from app.engine.operators import registry
from app.services import context, user_service
from app.services.errors import TooManyRequests, Unauthenticated

bp = Blueprint("meta", __name__)


@bp.post("/auth/token")
def issue_token():
    """Exchange a username and password for a bearer token."""
    body = TokenRequest().load(request.get_json(silent=True) or {})
    if ratelimit.LOGIN_FAILURES.exceeded(ratelimit.client_key()):
        raise TooManyRequests("too many failed logins from this address; try again in a minute")
    try:
        identity = user_service.authenticate(body["username"], body["password"])
    except Unauthenticated:
        ratelimit.LOGIN_FAILURES.allow(ratelimit.client_key())
        raise
    token, ttl = tokens.issue(context.settings(), identity)
    return jsonify(access_token=token, token_type="Bearer", expires_in=ttl,
                   user={"username": identity.username, "display_name": identity.display_name,
                         "roles": list(identity.roles), "groups": list(identity.groups),
                         "district": identity.district})


@bp.get("/me")
def me():
    """The caller's identity as the server sees it."""
    identity = current_identity()
    return jsonify(username=identity.username, display_name=identity.display_name, roles=list(identity.roles),
                   groups=list(identity.groups), district=identity.district)


@bp.get("/operators")
@requires()
def operators():
    """Every registered operator with its parameter schema (the modeler's service-task choices)."""
    return jsonify(items=[op.describe() for op in registry.all()])


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(spec())
