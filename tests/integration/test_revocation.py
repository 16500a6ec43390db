"""Disabling, logging out, a new password or new roles end every token and session at once
(issue 11 §2), whichever server process sees the next request — here two app instances on one
PostgreSQL database, as two gunicorn workers would be.
"""

from __future__ import annotations

import time

import pytest

from app.factory import create_app
from app.services import demo_service, user_service
from tests.conftest import make_settings, truncate
from tests.web.conftest import Browserless


@pytest.fixture
def two_apps(pg_url):
    """Two server processes' worth of app on the same database, with the demo users."""
    first, second = create_app(make_settings(pg_url)), create_app(make_settings(pg_url))
    with first.app_context():
        demo_service.load_demo_users()
        yield first, second
    truncate(pg_url)


def _tokens(app, username="admin", password="demo123") -> dict:
    response = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _me(app, access_token: str) -> int:
    with app.app_context():
        return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {access_token}"}).status_code


def _refresh(app, refresh_token: str):
    with app.app_context():
        return app.test_client().post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


def _page(app, browser: Browserless) -> int:
    with app.app_context():
        return browser.get("/admin/incidents").status_code


def _signed_in(app, username="admin") -> Browserless:
    with app.app_context():
        browser = Browserless(app, username)
        browser.refresh_token("/admin/incidents")  # login rotates the CSRF token
    assert _page(app, browser) == 200
    return browser


@pytest.mark.parametrize("change", ["disable", "password", "roles", "sign-out"])
def test_every_token_and_session_of_the_user_ends_in_every_process(two_apps, change):
    first, second = two_apps
    pair = _tokens(first)
    browser = _signed_in(second)
    other_user = _tokens(first, "operator")
    assert _me(second, pair["access_token"]) == 200
    if change == "disable":
        user_service.set_active("admin", False)
    elif change == "password":
        user_service.set_password("admin", "a-new-password-1")
    elif change == "roles":
        user_service.set_roles("admin", ["operator"])
    else:
        user_service.revoke_tokens("admin")
    for app in (first, second):
        assert _me(app, pair["access_token"]) == 401
        assert _refresh(app, pair["refresh_token"]).status_code == 401
    assert _page(second, browser) == 302  # back to the login page
    assert _me(second, other_user["access_token"]) == 200  # nobody else is signed out


def test_a_session_cookie_replayed_after_logout_opens_nothing(two_apps):
    first, second = two_apps
    browser = _signed_in(first)
    stolen = browser.client.get_cookie("session").value
    api = _tokens(second)
    with first.app_context():
        assert browser.post("/logout").status_code == 302
    replay = Browserless.__new__(Browserless)
    replay.client = second.test_client()
    replay.client.set_cookie("session", stolen)
    assert _page(second, replay) == 302 and _page(first, replay) == 302
    assert _me(second, api["access_token"]) == 401  # logout ends the API tokens too
    assert _page(first, _signed_in(first)) == 200  # and logging in again works


def test_a_disabled_user_cannot_log_in_and_enabling_does_not_revive_old_tokens(two_apps):
    first, _second = two_apps
    old = _tokens(first)
    user_service.set_active("admin", False)
    assert first.test_client().post("/api/v1/auth/token",
                                    json={"username": "admin", "password": "demo123"}).status_code == 401
    user_service.set_active("admin", True)
    assert _me(first, old["access_token"]) == 401
    assert _me(first, _tokens(first)["access_token"]) == 200


def test_a_role_change_takes_effect_with_the_next_login(two_apps):
    first, _second = two_apps
    user_service.set_roles("street_yz", ["district_reviewer"], ["district_reviewer"], "渝中区")
    body = _tokens(first, "street_yz")
    assert body["user"]["roles"] == ["district_reviewer"]
    with first.app_context():
        me = first.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.get_json()["roles"] == ["district_reviewer"]


def test_access_tokens_are_short_lived_and_renewed_with_the_refresh_token(pg_url):
    app = create_app(make_settings(pg_url, token_ttl_seconds=1))
    with app.app_context():
        demo_service.load_demo_users()
        try:
            pair = _tokens(app)
            assert pair["expires_in"] == 1 and pair["refresh_expires_in"] == 8 * 3600
            assert _me(app, pair["refresh_token"]) == 401  # a refresh token is no bearer token
            assert _refresh(app, pair["access_token"]).status_code == 401  # nor the other way round
            time.sleep(2.1)
            assert _me(app, pair["access_token"]) == 401  # expired
            renewed = _refresh(app, pair["refresh_token"])
            assert renewed.status_code == 200, renewed.get_json()
            assert _me(app, renewed.get_json()["access_token"]) == 200
            bad = app.test_client().post("/api/v1/auth/refresh", json={"refresh_token": "nope"})
            assert bad.status_code == 401 and bad.mimetype == "application/problem+json"
            assert app.test_client().post("/api/v1/auth/refresh", json={}).status_code == 422
        finally:
            truncate(pg_url)


def test_api_logout_ends_the_callers_tokens_and_sessions(two_apps):
    first, second = two_apps
    pair = _tokens(first)
    browser = _signed_in(second)
    with first.app_context():
        out = first.test_client().post("/api/v1/auth/logout",
                                       headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert out.status_code == 200 and out.get_json() == {"signed_out": True}
    assert _me(first, pair["access_token"]) == 401 and _refresh(first, pair["refresh_token"]).status_code == 401
    assert _page(second, browser) == 302


def test_passwords_are_checked_and_short_ones_refused(two_apps):
    from app.services.errors import Unauthenticated, UserNotFound, ValidationFailed

    with pytest.raises(ValidationFailed):
        user_service.set_password("admin", "short")
    with pytest.raises(Unauthenticated):
        user_service.set_password("admin", "long-enough-1", current_password="wrong")
    with pytest.raises(UserNotFound):
        user_service.set_active("nobody", False)
    user_service.set_password("admin", "long-enough-1", current_password="demo123")
    assert _tokens(two_apps[0], password="long-enough-1")["user"]["username"] == "admin"
