"""Applying over the API as an applicant, the way a client of ``/api/v1/applications`` does."""

from __future__ import annotations

from flask import Flask

from app.auth.identity import Identity
from tests.support.users import bearer_for


def api_headers(app: Flask, identity: Identity) -> dict:
    """A bearer header for ``identity`` signed by ``app``."""
    return bearer_for(app, identity)


def apply_over_api(app: Flask, identity: Identity, form: dict) -> dict:
    """POST the application form as ``identity``; the 201 body (a failure shows the problem)."""
    response = app.test_client().post("/api/v1/applications", json=form, headers=api_headers(app, identity))
    assert response.status_code == 201, response.get_json()
    return response.get_json()
