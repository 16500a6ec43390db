"""Forged and incomplete tokens and session cookies open nothing (issue 11 §1).

The attacks: a token or session cookie signed with the built-in development secrets, a token for
a user that does not exist, and tokens without ``exp``, ``iat``, ``aud`` or ``iss``.
"""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from jose import jwt

from app.config import DEV_JWT_SECRET, DEV_SECRET_KEY, ConfigError
from app.factory import create_app
from app.services import user_service
from tests.conftest import make_settings

PRODUCTION = dict(env="production", jwt_secret="p" * 48, secret_key="q" * 48, audit_key="a" * 48,
                  ratelimit_storage_url="memory://")
HTTPS = "https://localhost"  # production session cookies are Secure


def _claims(settings, **changes) -> dict:
    now = int(time.time())
    claims = {"sub": "admin", "roles": ["admin"], "iat": now, "exp": now + 600, "iss": settings.jwt_issuer,
              "aud": settings.jwt_audience, "typ": "access", "ver": 0}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _forged_session_cookie(secret_key: str, token: str) -> str:
    forger = Flask("forger")
    forger.secret_key = secret_key
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"token": token})


@pytest.fixture
def prod_app(pg_url):
    application = create_app(make_settings(pg_url, **PRODUCTION))
    with application.app_context():
        user_service.upsert_user("admin", "管理员", "a-long-admin-password", ["admin"], ["admin"], None)
        yield application
    from tests.conftest import truncate

    truncate(pg_url)


def test_a_production_server_does_not_start_on_the_built_in_secrets(pg_url):
    with pytest.raises(ConfigError, match="HOUSING_JWT_SECRET is the built-in development value"):
        create_app(make_settings(pg_url, env="production", jwt_secret=DEV_JWT_SECRET, secret_key="q" * 48))
    with pytest.raises(ConfigError, match="HOUSING_SECRET_KEY is the built-in development value"):
        create_app(make_settings(pg_url, env="production", jwt_secret="p" * 48, secret_key=DEV_SECRET_KEY))


def test_tokens_and_cookies_forged_with_the_built_in_secrets_open_nothing(prod_app):
    settings = prod_app.extensions["housing.settings"]
    forged = jwt.encode(_claims(settings), DEV_JWT_SECRET)
    client = prod_app.test_client()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.get_json()["error_code"] == "unauthenticated"
    client.set_cookie("session", _forged_session_cookie(DEV_SECRET_KEY, jwt.encode(
        _claims(settings, typ="session"), DEV_JWT_SECRET)))
    page = client.get("/admin/incidents", base_url=HTTPS)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_validly_signed_token_needs_an_existing_active_user_and_every_claim(prod_app):
    settings = prod_app.extensions["housing.settings"]
    client = prod_app.test_client()

    def status(**changes) -> int:
        token = jwt.encode(_claims(settings, **changes), settings.jwt_secret)
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code

    assert status() == 200  # the control: everything present, the stored admin at version 0
    assert status(sub="ghost") == 401  # no such user
    for missing in ("exp", "iat", "sub", "aud", "iss", "ver"):
        assert status(**{missing: None}) == 401, missing
    assert status(aud="someone-else") == 401 and status(iss="someone-else") == 401
    assert status(typ="refresh") == 401 and status(typ="session") == 401  # not an access token
    assert status(ver=1) == 401  # a version the user never had
    user_service.set_active("admin", False)
    assert status() == 401


def test_a_session_cookie_for_a_user_that_does_not_exist_opens_no_page(prod_app):
    settings = prod_app.extensions["housing.settings"]
    client = prod_app.test_client()
    ghost = jwt.encode(_claims(settings, sub="ghost", typ="session"), settings.jwt_secret)
    client.set_cookie("session", _forged_session_cookie(settings.secret_key, ghost))
    page = client.get("/admin/incidents", base_url=HTTPS)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    real = jwt.encode(_claims(settings, typ="session"), settings.jwt_secret)
    client.set_cookie("session", _forged_session_cookie(settings.secret_key, real))
    assert client.get("/admin/incidents", base_url=HTTPS).status_code == 200  # the control


def test_identity_provider_tokens_still_need_an_expiry(pg_url):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    app = create_app(make_settings(pg_url, idp_public_key=public_pem, idp_issuer="https://idp.example",
                                   idp_audience="housing"))
    client = app.test_client()

    def status(**claims) -> int:
        token = jwt.encode({"sub": "sso-user", "roles": ["operator"], "iss": "https://idp.example", **claims},
                           private_pem, algorithm="RS256")
        with app.app_context():
            return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code

    later = int(time.time()) + 60
    assert status(exp=later, aud="housing") == 200
    assert status(aud="housing") == 401  # no exp
    assert status(exp=later, aud="elsewhere") == 401 and status(exp=later) == 401
