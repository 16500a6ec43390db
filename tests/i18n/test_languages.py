"""Errors and pages in the requester's language: Accept-Language in the API, the session's choice on pages."""

from __future__ import annotations

import pytest

from app.auth.identity import Identity
from tests.conftest import bearer
from tests.support.users import bearer_for


@pytest.mark.integration
def test_an_api_error_speaks_chinese_by_default_and_english_when_asked(app, client):
    headers = bearer(app, "admin")
    chinese = client.get("/api/v1/applications/GZF2026-999999", headers=headers)
    assert chinese.status_code == 404 and chinese.mimetype == "application/problem+json"
    assert chinese.json["error_code"] == "case_not_found"
    assert (chinese.json["title"], chinese.json["detail"]) == ("申请不存在", "申请 GZF2026-999999 不存在")

    english = client.get("/api/v1/applications/GZF2026-999999",
                         headers={**headers, "Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert english.json["error_code"] == "case_not_found"
    assert (english.json["title"], english.json["detail"]) == ("Application not found",
                                                               "Application GZF2026-999999 not found")

    unknown = client.get("/api/v1/applications/GZF2026-999999", headers={**headers, "Accept-Language": "fr"})
    assert unknown.json["title"] == "申请不存在"


@pytest.mark.integration
def test_the_field_messages_of_an_api_problem_follow_the_language(app, client):
    officer = bearer_for(app, Identity("district_jb", "江北区复审", roles=("district_reviewer",),
                                       groups=("district_reviewers",), district="江北区"))
    unit = {"code": "YZ-T-1-0101", "project": "测试苑", "district": "渝中区", "address": "渝中区测试路1号",
            "building": "1栋", "room_no": "0101", "housing_type": "gongzufang", "layout": "一室一厅",
            "usable_area": 40.0, "floor": 1, "rent_basis": "per_m2", "rent_rate": 12.5, "has_lift": False}
    chinese = client.post("/api/v1/stock/units", json=unit, headers=officer)
    english = client.post("/api/v1/stock/units", json=unit, headers={**officer, "Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 422, chinese.get_data(as_text=True)
    assert chinese.json["errors"]["district"] == ["只能登记本区县（江北区）的房源"]
    assert english.json["errors"]["district"] == ["You can add units of your own district (江北区) only"]
    assert english.json["title"] == "The submitted data is not valid"


@pytest.mark.integration
def test_an_http_error_of_the_api_is_labelled_by_its_code_in_both_languages(app, client):
    chinese = client.get("/api/v1/no-such-resource")
    english = client.get("/api/v1/no-such-resource", headers={"Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 404
    assert chinese.json["error_code"] == english.json["error_code"] == "not_found"
    assert (chinese.json["title"], english.json["title"]) == ("资源不存在", "Not found")
