"""A service error on a page, in the session's language; pages follow the session, not the browser."""

from __future__ import annotations

import pytest


@pytest.mark.integration
def test_a_page_shows_a_service_error_in_the_sessions_language(web_app, as_user):
    applicant = as_user("applicant")
    chinese = applicant.get("/portal/applications/GZF2026-999999")
    html = chinese.get_data(as_text=True)
    assert chinese.status_code == 404
    assert '<html lang="zh-CN"' in html and "申请 GZF2026-999999 不存在" in html and "页面或记录不存在" in html

    applicant.get("/lang/en")
    english = applicant.get("/portal/applications/GZF2026-999999")
    html = english.get_data(as_text=True)
    assert english.status_code == 404
    assert '<html lang="en"' in html and "Application GZF2026-999999 not found" in html and "Not found" in html
    assert "申请 GZF2026-999999 不存在" not in html


@pytest.mark.integration
def test_the_language_chosen_on_pages_does_not_follow_the_browser(web_app, as_user):
    """Pages follow the session's choice (Chinese first), not Accept-Language."""
    applicant = as_user("applicant")
    html = applicant.get("/portal", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN"' in html and "我的申请" in html
