"""Tokens, operators and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from app.api import responses as r
from app.api.auth import current_identity, requires
from app.api.openapi import operation, spec
from app.api.schemas import TokenRequest
from app.auth import ratelimit, tokens
from app.engine.operators import registry
from app.services import context, user_service
from app.services.errors import TooManyRequests, Unauthenticated

bp = Blueprint("meta", __name__)


@bp.post("/auth/token")
@operation("Exchange a username and password for a bearer token", tag="auth", body=TokenRequest,
           responses={200: r.Token}, errors=(401,), auth=False,
           description="10 failed attempts a minute per address, then 429")
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
    return dict(access_token=token, token_type="Bearer", expires_in=ttl,
                user={"username": identity.username, "display_name": identity.display_name,
                      "roles": list(identity.roles), "groups": list(identity.groups),
                      "district": identity.district})


@bp.get("/me")
@operation("The caller's identity", tag="auth", responses={200: r.Me})
def me():
    """The caller's identity as the server sees it."""
    identity = current_identity()
    return dict(username=identity.username, display_name=identity.display_name, roles=list(identity.roles),
                groups=list(identity.groups), district=identity.district)


@bp.get("/operators")
@requires()
@operation("Registered operators with parameter schemas", tag="operators", responses={200: r.Operators})
def operators():
    """Every registered operator with its parameter schema (the modeler's service-task choices)."""
    return {"items": [op.describe() for op in registry.all()]}


@bp.get("/openapi.json")
@operation("This document", tag="meta", responses={200: r.SpecDocument}, auth=False)
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from app.api import API_PREFIX

    return spec(current_app, API_PREFIX)
