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


NO_LANE_ROLE = fixture_text(BPMN).replace(
    '<spiffworkflow:property name="candidateGroups" value="street_reviewer" />', "")
EMPTY_LANE = '<bpmn:lane id="lane_empty" name="空泳道" />\n    </bpmn:laneSet>'


def _lane_problems(client, headers, text) -> list[tuple[str, str]]:
    body = _upload(client, "/api/v1/process-definitions/validate", headers, text).get_json()
    return [(p["element_id"], p["message"]) for p in body["problems"] if "lane" in p["message"]]


def test_a_lane_without_a_role_is_reported_on_the_lane_itself(modeler_app):
    client = modeler_app.test_client()
    policy = bearer(modeler_app, "policy")
    assert _lane_problems(client, policy, fixture_text(BPMN)) == []   # 系统核查 holds only automatic steps
    [(element, message)] = _lane_problems(client, policy, NO_LANE_ROLE)
    assert element == "lane_street" and "street_review" in message and "街道审核" in message
    body = _upload(client, "/api/v1/process-definitions/validate", policy, NO_LANE_ROLE).get_json()
    assert body["valid"] is True and not [p for p in body["problems"] if p["element_id"] == "street_review"]
    named_after_a_group = NO_LANE_ROLE.replace('name="街道审核"', 'name="street_reviewer"')
    assert _lane_problems(client, policy, named_after_a_group) == []
    empty = fixture_text(BPMN).replace("</bpmn:laneSet>", EMPTY_LANE)
    assert [e for e, _m in _lane_problems(client, policy, empty)] == ["lane_empty"]


def test_a_deploy_without_a_comment_records_the_file_names(modeler_app):
    client = modeler_app.test_client()
    edited = fixture_text(BPMN).replace("workdays_from_now(10)", "workdays_from_now(8)")
    assert _upload(client, "/api/v1/process-definitions", bearer(modeler_app, "policy"), edited).status_code == 201
    versions = client.get("/api/v1/process-definitions/gzf_trial/versions",
                          headers=bearer(modeler_app, "policy")).get_json()["items"]
    assert versions[0]["version"] == 2 and versions[0]["comment"] == f"部署 {BPMN}"
