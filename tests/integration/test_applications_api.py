"""POST/GET /api/v1/applications: applicants apply and follow their own cases, staff their district's."""

from __future__ import annotations

import copy

from app.services import instance_service
from tests.processes.applying import api_headers as _headers
from tests.processes.conftest import flow_app, household, sandbox, staff  # noqa: F401  (fixtures)

FORM = household("eligible_single")["form"]  # 渝中区 公租房, a single applicant


def _applicant(username: str):
    return staff(username, "applicant", None, "applicant")


def _listed(app, headers: dict, query: str = "") -> list[str]:
    """The application numbers GET /applications shows with ``headers``."""
    return [c["application_no"] for c in app.test_client().get(f"/api/v1/applications{query}",
                                                                headers=headers).get_json()["items"]]


def _applications_seen(app) -> int:
    """Applications the API let through (none, when it refused)."""
    return len(_listed(app, _headers(app, staff("admin", "admin", None, "admin"))))


def test_an_applicant_applies_and_follows_only_their_own_application(flow_app):  # noqa: F811
    client, mine = flow_app.test_client(), _headers(flow_app, _applicant("zhang"))
    response = client.post("/api/v1/applications", json=FORM, headers=mine)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    number = created["application_no"]
    assert number.startswith("GZF") and response.headers["Location"] == f"/api/v1/applications/{number}"
    assert created["status"] == "submitted" and created["step"] == "受理" and created["applicant_name"] == "陈*东"
    assert instance_service.get_instance(created["case_id"])["business_key"] == number

    case = client.get(f"/api/v1/applications/{number}", headers=mine).get_json()
    assert case["status"] == "submitted" and case["instance_id"] == created["case_id"]
    assert case["applicant"]["id_number"] == "500103********0136"
    assert _listed(flow_app, mine) == [number]

    other = _headers(flow_app, _applicant("li"))
    missing = client.get(f"/api/v1/applications/{number}", headers=other)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["error_code"] == "case_not_found"
    assert _listed(flow_app, other) == []

    yuzhong = _headers(flow_app, staff("street", "street_reviewer", "渝中区"))
    jiangbei = _headers(flow_app, staff("street_jb", "street_reviewer", "江北区"))
    assert _listed(flow_app, yuzhong) == [number] and _listed(flow_app, yuzhong, "?status=rejected") == []
    assert _listed(flow_app, jiangbei) == []
    assert client.get(f"/api/v1/applications/{number}", headers=jiangbei).status_code == 404


def test_a_form_that_fails_its_schema_is_refused_with_every_field_error(flow_app):  # noqa: F811
    form = copy.deepcopy(FORM)
    form["housing_type"] = "shangpinfang"
    del form["applicant"]["phone"]
    form["household"]["members"][0]["id_number"] = "5001031994"
    form["authorization"] = False
    response = flow_app.test_client().post("/api/v1/applications", json=form,
                                           headers=_headers(flow_app, _applicant("zhang")))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert {"housing_type", "applicant.phone", "household.members.0.id_number", "authorization"} <= set(errors)
    not_a_form = flow_app.test_client().post("/api/v1/applications", json=[FORM],
                                             headers=_headers(flow_app, _applicant("zhang")))
    assert not_a_form.status_code == 422 and not_a_form.mimetype == "application/problem+json"
    assert _applications_seen(flow_app) == 0


def test_an_id_number_with_a_wrong_check_digit_is_a_field_error(flow_app):  # noqa: F811
    form = copy.deepcopy(FORM)
    form["applicant"]["id_number"] = form["household"]["members"][0]["id_number"] = "500103199405120137"
    response = flow_app.test_client().post("/api/v1/applications", json=form,
                                           headers=_headers(flow_app, _applicant("zhang")))
    assert response.status_code == 422
    assert "applicant.id_number" in response.get_json()["errors"]


def test_only_applicants_apply_and_a_token_is_required(flow_app):  # noqa: F811
    client = flow_app.test_client()
    reviewer = client.post("/api/v1/applications", json=FORM,
                           headers=_headers(flow_app, staff("street", "street_reviewer", "渝中区")))
    assert reviewer.status_code == 403 and reviewer.get_json()["error_code"] == "forbidden"
    assert client.post("/api/v1/applications", json=FORM).status_code == 401
    assert client.get("/api/v1/applications").status_code == 401
    assert _applications_seen(flow_app) == 0
