"""Issuing and verifying JWT bearer tokens (python-jose).

Tokens this server issues are HMAC-signed with ``HOUSING_JWT_SECRET`` and come in three kinds
(claim ``typ``): short-lived ``access`` tokens for the API, ``refresh`` tokens that buy a new
access token, and ``session`` tokens kept in the page session cookie. Each must carry ``exp``,
``iat``, ``sub``, ``iss`` and ``aud``, and its ``ver`` must equal the user's current token
version in the database: disabling a user, logging out, or changing a password or roles raises
that version and so ends every token and session of the user at once, in every process.

Tokens from an external identity provider are accepted when ``HOUSING_IDP_PUBLIC_KEY`` holds its
PEM key or JWKS; they must carry ``exp`` (and the configured issuer / audience); their ``roles``,
``groups`` and ``district`` claims are read the same way. Such users live in the provider, not in
the local user table.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace

from jose import JWTError, jwt

from app.auth.identity import Identity
from app.config import Settings
from app.services import user_service

ACCESS, REFRESH, SESSION = "access", "refresh", "session"
_LOCAL_REQUIRED = {f"require_{c}": True for c in ("exp", "iat", "sub", "iss", "aud")}
_IDP_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384")


class TokenInvalid(Exception):
    """The token is missing, malformed, expired, revoked or signed by someone we do not trust."""


def lifetime(settings: Settings, kind: str) -> int:
    """Seconds a token of ``kind`` lives."""
    return {ACCESS: settings.token_ttl_seconds, REFRESH: settings.refresh_ttl_seconds,
            SESSION: settings.session_ttl_seconds}[kind]


def issue(settings: Settings, identity: Identity, kind: str = ACCESS, ttl: int | None = None) -> tuple[str, int]:
    """A signed token of ``kind`` for ``identity`` (at its token version) and its lifetime in seconds."""
    ttl = ttl or lifetime(settings, kind)
    now = int(time.time())
    claims = {
        "sub": identity.username, "name": identity.display_name, "roles": list(identity.roles),
        "groups": list(identity.groups), "district": identity.district, "iat": now, "nbf": now,
        "exp": now + ttl, "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "jti": uuid.uuid4().hex,
        "typ": kind, "ver": identity.version,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm), ttl


def decode(settings: Settings, token: str, kind: str = ACCESS) -> tuple[dict, bool]:
    """The verified claims of ``token`` and whether this server issued it; raises :class:`TokenInvalid`.

    Only the signature and the claims are checked here; :func:`verify` also asks the database.
    """
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as exc:
        raise TokenInvalid(f"malformed token: {exc}") from None
    alg = header.get("alg") or ""
    try:
        if alg.startswith("HS"):
            claims = jwt.decode(token, settings.jwt_secret, algorithms=[settings.jwt_algorithm],
                                audience=settings.jwt_audience, issuer=settings.jwt_issuer,
                                options=_LOCAL_REQUIRED)
            if claims.get("typ") != kind:
                raise TokenInvalid(f"this is not an {kind} token" if kind == ACCESS else f"this is not a {kind} token")
            if not isinstance(claims.get("ver"), int) or isinstance(claims.get("ver"), bool):
                raise TokenInvalid("token carries no token version")
            return claims, True
        if settings.idp_public_key and alg in _IDP_ALGORITHMS and kind == ACCESS:
            key = settings.idp_public_key
            if key.lstrip().startswith("{"):
                key = json.loads(key)
            options = {"verify_aud": bool(settings.idp_audience), "require_exp": True,
                       "require_aud": bool(settings.idp_audience), "require_iss": bool(settings.idp_issuer)}
            claims = jwt.decode(token, key, algorithms=[alg], options=options,
                                audience=settings.idp_audience or None, issuer=settings.idp_issuer or None)
            return claims, False
    except JWTError as exc:
        raise TokenInvalid(str(exc)) from None
    raise TokenInvalid(f"tokens signed with {alg or 'no algorithm'} are not accepted here")


def verify(settings: Settings, token: str, kind: str = ACCESS) -> Identity:
    """The identity behind a valid, unrevoked token; raises :class:`TokenInvalid`.

    A local token names an existing, active user at its current token version; the identity
    (roles, groups, district) is read from the database, not from the token.
    """
    claims, local = decode(settings, token, kind)
    if local:
        identity = user_service.identity_for_token(str(claims["sub"]), claims["ver"])
        if identity is None:
            raise TokenInvalid("token revoked: the user is unknown, disabled or signed out")
        return replace(identity, claims=claims)
    return Identity(
        username=str(claims.get("sub") or claims.get("preferred_username") or ""),
        display_name=str(claims.get("name") or claims.get("sub") or ""),
        roles=tuple(claims.get("roles") or ()),
        groups=tuple(claims.get("groups") or ()),
        district=claims.get("district"),
        claims=claims,
    )
