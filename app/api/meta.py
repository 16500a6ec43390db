"""Tokens, operators and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from app.api import responses as r
from app.api.auth import current_identity, requires
from app.api.openapi import operation, spec
from app.api.schemas import RefreshRequest, TokenRequest
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
    """Exchange a username and password for a short-lived access token and a refresh token."""
    body = TokenRequest().load(request.get_json(silent=True) or {})
    if ratelimit.login_refused(body["username"]):
        raise TooManyRequests("too many failed logins for this account from this address; try again later")
    try:
        identity = user_service.authenticate(body["username"], body["password"])
    except Unauthenticated:
        ratelimit.login_failed(body["username"])
        raise
    return _token_pair(identity)


@bp.post("/auth/refresh")
@operation("Exchange a refresh token for a new access token and refresh token", tag="auth", body=RefreshRequest,
           responses={200: r.Token}, errors=(401,), auth=False)
def refresh_token():
    """Exchange a refresh token for a new access token and a new refresh token."""
    body = RefreshRequest().load(request.get_json(silent=True) or {})
    try:
        identity = tokens.verify(context.settings(), body["refresh_token"], tokens.REFRESH)
    except tokens.TokenInvalid as exc:
        raise Unauthenticated(f"invalid refresh token: {exc}") from None
    return _token_pair(identity)


@bp.post("/auth/logout")
@requires()
@operation("End every token and page session of the caller", tag="auth", responses={200: r.SignedOut})
def logout():
    """End every access token, refresh token and page session of the caller."""
    identity = current_identity()
    user_service.revoke_tokens(identity.username)
    return {"signed_out": True}


def _token_pair(identity):
    settings = context.settings()
    access, ttl = tokens.issue(settings, identity, tokens.ACCESS)
    refresh, refresh_ttl = tokens.issue(settings, identity, tokens.REFRESH)
    return dict(access_token=access, token_type="Bearer", expires_in=ttl, refresh_token=refresh,
                refresh_expires_in=refresh_ttl,
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
