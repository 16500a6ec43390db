"""Issuing and verifying JWT bearer tokens (python-jose).

Tokens this server issues are HMAC-signed with ``HOUSING_JWT_SECRET``. Tokens from an external
identity provider are accepted when ``HOUSING_IDP_PUBLIC_KEY`` holds its PEM key or JWKS; their
``roles``, ``groups`` and ``district`` claims are read the same way.
"""

from __future__ import annotations

import json
import time
import uuid

from jose import JWTError, jwt

from app.auth.identity import Identity
from app.config import Settings


class TokenInvalid(Exception):
    """The token is missing, malformed, expired or signed by someone we do not trust."""


def issue(settings: Settings, identity: Identity, ttl: int | None = None) -> tuple[str, int]:
    """A signed token for ``identity`` and its lifetime in seconds."""
    ttl = ttl or settings.token_ttl_seconds
    now = int(time.time())
    claims = {
        "sub": identity.username, "name": identity.display_name, "roles": list(identity.roles),
        "groups": list(identity.groups), "district": identity.district, "iat": now, "nbf": now,
        "exp": now + ttl, "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm), ttl


def verify(settings: Settings, token: str) -> Identity:
    """The identity in a valid token; raises :class:`TokenInvalid`."""
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as exc:
        raise TokenInvalid(f"malformed token: {exc}") from None
    alg = header.get("alg", "")
    try:
        if alg.startswith("HS"):
            claims = jwt.decode(token, settings.jwt_secret, algorithms=[settings.jwt_algorithm],
                                audience=settings.jwt_audience, issuer=settings.jwt_issuer)
        elif settings.idp_public_key and alg in ("RS256", "RS384", "RS512", "ES256", "ES384"):
            key = settings.idp_public_key
            if key.lstrip().startswith("{"):
                key = json.loads(key)
            options = {"verify_aud": False}
            claims = jwt.decode(token, key, algorithms=[alg], options=options,
                                issuer=settings.idp_issuer or None)
        else:
            raise TokenInvalid(f"tokens signed with {alg or 'no algorithm'} are not accepted")
    except JWTError as exc:
        raise TokenInvalid(str(exc)) from None
    return Identity(
        username=str(claims.get("sub") or claims.get("preferred_username") or ""),
        display_name=str(claims.get("name") or claims.get("sub") or ""),
        roles=tuple(claims.get("roles") or ()),
        groups=tuple(claims.get("groups") or ()),
        district=claims.get("district"),
        claims=claims,
    )
