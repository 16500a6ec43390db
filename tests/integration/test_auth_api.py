"""Authentication: tokens for local users, external IdP keys, problem+json on failures."""

from __future__ import annotations

import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from app.services import demo_service
from tests.conftest import deploy_fixture
from tests.support.api import start


def test_token_endpoint_for_demo_users(app, client):
    demo_service.load_demo_users()
    ok = client.post("/api/v1/auth/token", json={"username": "street_yz", "password": "demo123"})
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["user"]["district"] == "渝中区" and "street_reviewer" in body["user"]["groups"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}).get_json()
    assert me["username"] == "street_yz"
    bad = client.post("/api/v1/auth/token", json={"username": "street_yz", "password": "nope"})
    assert bad.status_code == 401 and bad.mimetype == "application/problem+json"
    assert client.post("/api/v1/auth/token", json={"username": "x"}).status_code == 422


def test_missing_expired_and_forged_tokens_are_401(app, client):
    assert client.get("/api/v1/tasks").status_code == 401
    settings = app.extensions["housing.settings"]
    expired = jwt.encode({"sub": "admin", "roles": ["admin"], "exp": int(time.time()) - 10,
                          "iss": settings.jwt_issuer, "aud": settings.jwt_audience}, settings.jwt_secret)
    forged = jwt.encode({"sub": "admin", "roles": ["admin"], "exp": int(time.time()) + 100,
                         "iss": settings.jwt_issuer, "aud": settings.jwt_audience}, "wrong-secret")
    for token in (expired, forged, "not-a-token"):
        response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        body = response.get_json()
        assert body["error_code"] == "unauthenticated" and body["correlation_id"]


def test_external_identity_provider_tokens_are_accepted(pg_url):
    from app.factory import create_app
    from tests.conftest import make_settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    app = create_app(make_settings(pg_url, idp_public_key=public_pem, idp_issuer="https://idp.example"))
    token = jwt.encode({"sub": "sso-user", "roles": ["operator"], "groups": ["operator"],
                        "iss": "https://idp.example", "exp": int(time.time()) + 60}, private_pem, algorithm="RS256")
    with app.app_context():
        me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.get_json()["roles"] == ["operator"]
        wrong_issuer = jwt.encode({"sub": "x", "iss": "https://evil.example", "exp": int(time.time()) + 60},
                                  private_pem, algorithm="RS256")
        assert app.test_client().get("/api/v1/me", headers={
            "Authorization": f"Bearer {wrong_issuer}"}).status_code == 401


def test_applicants_cannot_start_processes_or_read_others_cases(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", {"members": [{"income": 1}], "district": "渝中区"})
    assert client.post("/api/v1/process-instances", json={"process_key": "smoke"},
                       headers=auth("applicant")).status_code == 403
    assert client.get(f"/api/v1/process-instances/{inst['id']}", headers=auth("applicant")).status_code == 404
    assert client.get(f"/api/v1/process-instances/{inst['id']}", headers=auth("reviewer_jb")).status_code == 404
    assert client.get(f"/api/v1/process-instances/{inst['id']}", headers=auth("reviewer")).status_code == 200


def test_unknown_instance_and_bad_body_are_problems(client, auth):
    missing = client.get("/api/v1/process-instances/nope", headers=auth())
    assert missing.status_code == 404 and missing.get_json()["error_code"] == "instance_not_found"
    bad = client.post("/api/v1/process-instances", json={"process_key": "x", "surprise": 1}, headers=auth())
    assert bad.status_code == 422 and "surprise" in bad.get_json()["errors"]
    unknown = client.post("/api/v1/process-instances", json={"process_key": "nothing"}, headers=auth())
    assert unknown.status_code == 404 and unknown.get_json()["error_code"] == "definition_not_found"


def test_failed_token_requests_are_rate_limited_before_the_password_is_checked(app, client):
    demo_service.load_demo_users()
    for _ in range(10):
        assert client.post("/api/v1/auth/token", json={"username": "admin", "password": "guess"}).status_code == 401
    blocked = client.post("/api/v1/auth/token", json={"username": "admin", "password": "demo123"})
    assert blocked.status_code == 429 and blocked.get_json()["error_code"] == "too_many_requests"
    elsewhere = client.post("/api/v1/auth/token", json={"username": "admin", "password": "demo123"},
                            environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert elsewhere.status_code == 200  # the attacker's address is locked, not the account
