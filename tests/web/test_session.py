"""Login, CSRF, language switch and role-aware navigation."""

from __future__ import annotations

from tests.web.conftest import Browserless, csrf_of


def test_login_lands_each_role_on_its_home(web_app):
    for username, home in [("street_yz", "/inbox"), ("applicant", "/portal"), ("operator", "/admin"),
                           ("admin", "/admin")]:
        b = Browserless(web_app)
        response = b.post("/login", data={"username": username, "password": "demo123"})
        assert response.status_code == 302 and response.headers["Location"].endswith(home), username


def test_wrong_password_is_refused_and_then_rate_limited(web_app):
    b = Browserless(web_app)
    codes = [b.post("/login", data={"username": "admin", "password": "nope"}).status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429


def test_every_post_needs_the_session_csrf_token(web_app, as_user):
    b = as_user("street_yz")
    assert b.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert b.client.post("/logout").status_code == 400
    assert b.get("/inbox").status_code == 200  # still logged in
    assert b.post("/logout").status_code == 302
    assert b.get("/inbox").status_code == 302  # logged out now


def test_login_rotates_the_csrf_token(web_app):
    b = Browserless(web_app)
    before = b.token
    b.post("/login", data={"username": "admin", "password": "demo123"})
    after = csrf_of(b.get("/admin").get_data(as_text=True))
    assert after != before


def test_pages_need_a_session_and_the_right_role(web_app, as_user):
    anonymous = Browserless(web_app)
    response = anonymous.get("/inbox")
    assert response.status_code == 302 and "/login?next=/inbox" in response.headers["Location"]
    assert as_user("applicant").get("/inbox").status_code == 403
    assert as_user("street_yz").get("/admin/incidents").status_code == 403
    assert as_user("street_yz").get("/portal").status_code == 403


def test_navigation_depends_on_the_role(web_app, as_user):
    reviewer = as_user("street_yz").get("/inbox").get_data(as_text=True)
    applicant = as_user("applicant").get("/portal").get_data(as_text=True)
    assert "审核工作台" in reviewer and "系统管理" not in reviewer
    assert "我的申请" in applicant and "审核工作台" not in applicant


def test_language_switch_to_english_and_back(web_app, as_user):
    b = as_user("street_yz")
    assert '<html lang="zh-CN">' in b.get("/inbox").get_data(as_text=True)
    b.get("/lang/en?next=/inbox")
    page = b.get("/inbox").get_data(as_text=True)
    assert '<html lang="en">' in page and "Review inbox" in page and "Overdue only" in page
    b.get("/lang/zh")
    assert "审核工作台" in b.get("/inbox").get_data(as_text=True)


def test_no_open_redirects(web_app):
    b = Browserless(web_app)
    response = b.post("/login", data={"username": "admin", "password": "demo123", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/admin"
    assert b.get("/lang/en?next=//evil.example").headers["Location"] == "/"
