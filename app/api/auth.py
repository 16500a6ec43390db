"""Bearer-token authentication for the API and role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import request

from app.auth import tokens
from app.auth.identity import Identity
from app.services import context
from app.services.errors import Forbidden, Unauthenticated


def current_identity() -> Identity:
    """The caller's identity; raises :class:`Unauthenticated` without a valid bearer token."""
    cached = request.environ.get("housing.identity")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send 'Authorization: Bearer <token>'; get one from POST /api/v1/auth/token")
    try:
        identity = tokens.verify(context.settings(), token.strip())
    except tokens.TokenInvalid as exc:
        raise Unauthenticated(f"invalid token: {exc}") from None
    request.environ["housing.identity"] = identity
    return identity


def requires(*roles: str) -> Callable:
    """Decorator: the caller must be authenticated and (if given) have one of ``roles``."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            identity = current_identity()
            if roles and not identity.has_role(*roles):
                raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
            return view(*args, **kwargs)

        return wrapper

    return decorate
