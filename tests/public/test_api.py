"""POST /api/v1/public/progress: no token, the masked answer, one 404 for every mismatch, 429."""

from __future__ import annotations

from app.public import ratelimit
from tests.public.conftest import ID_NUMBER, make_case


def test_the_json_query_answers_masked_and_refuses_alike(public_app):
    number = make_case()
    client = public_app.test_client()
    right = client.post("/api/v1/public/progress", json={"application_no": number, "id_suffix": ID_NUMBER[-6:]})
    assert right.status_code == 200
    assert set(right.get_json()) == {"application_no", "housing_type", "applicant", "status", "step", "submitted_on",
                                     "updated_on", "closed_on", "supplement_deadline"}
    assert right.get_json()["applicant"] == "张*丰" and right.get_json()["step"] == "初审"
    assert ID_NUMBER not in right.get_data(as_text=True) and "张三丰" not in right.get_data(as_text=True)
    wrong = client.post("/api/v1/public/progress", json={"application_no": number, "id_suffix": "999999"})
    unknown = client.post("/api/v1/public/progress", json={"application_no": "GZF2026-777777", "id_suffix": "999999"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.mimetype == "application/problem+json"
    assert {k: v for k, v in wrong.get_json().items() if k not in ("correlation_id", "instance")} == \
           {k: v for k, v in unknown.get_json().items() if k not in ("correlation_id", "instance")}
    assert wrong.get_json()["error_code"] == "progress_not_matched"
    bad = client.post("/api/v1/public/progress", json={"application_no": "x", "id_suffix": "1", "more": 1})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) >= {"application_no", "id_suffix"}


def test_the_json_query_shares_the_page_limits(public_app):
    client = public_app.test_client()
    for i in range(ratelimit.BY_NUMBER.amount):
        client.post("/api/v1/public/progress", json={"application_no": "GZF2026-000001", "id_suffix": f"{i:06d}"})
    limited = client.post("/api/v1/public/progress", json={"application_no": "GZF2026-000001", "id_suffix": "123456"})
    assert limited.status_code == 429 and limited.get_json()["error_code"] == "progress_query_limited"


def test_the_operation_is_documented_without_security(public_app):
    document = public_app.test_client().get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/public/progress"]["post"]
    assert post.get("security") == [] and {"200", "404", "422", "429"} <= set(post["responses"])
