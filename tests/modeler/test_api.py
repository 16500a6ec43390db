"""The modeler's API endpoints: the catalog and the diff of two versions."""

from __future__ import annotations

import io

from tests.conftest import bearer
from tests.modeler.conftest import BPMN, fixture_text


def _upload(client, url, headers, text):
    return client.post(url, data={"files": [(io.BytesIO(text.encode()), BPMN)]}, headers=headers,
                       content_type="multipart/form-data")


def test_catalog_is_for_policy_staff(modeler_app):
    client = modeler_app.test_client()
    body = client.get("/api/v1/modeler/catalog", headers=bearer(modeler_app, "policy")).get_json()
    assert {"operators", "forms", "processes", "decisions", "groups"} <= set(body)
    assert client.get("/api/v1/modeler/catalog", headers=bearer(modeler_app, "reviewer")).status_code == 403
    assert client.get("/api/v1/modeler/catalog").status_code == 401


def test_diff_of_two_versions(modeler_app):
    client = modeler_app.test_client()
    policy = bearer(modeler_app, "policy")
    edited = fixture_text(BPMN).replace('name="街道初审"', 'name="街道审核"')
    assert _upload(client, "/api/v1/process-definitions", policy, edited).status_code == 201
    body = client.get("/api/v1/process-definitions/gzf_trial/diff?from_version=1&to_version=2",
                      headers=bearer(modeler_app, "reviewer")).get_json()
    assert [(c["id"], c["changes"]) for c in body["changed"]] == [("street_review", ["name"])]
    missing = client.get("/api/v1/process-definitions/gzf_trial/diff?from_version=1", headers=policy)
    assert missing.status_code == 422 and missing.get_json()["errors"] == {"from_version": ["required"],
                                                                           "to_version": ["required"]}
    assert client.get("/api/v1/process-definitions/gzf_trial/diff?from_version=1&to_version=7",
                      headers=policy).status_code == 404
