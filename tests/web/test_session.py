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


def test_changing_the_password_ends_every_session_of_the_user(web_app, as_user):
    here, elsewhere = as_user("street_yz"), as_user("street_yz")
    page = here.get("/account/password")
    assert page.status_code == 200 and "修改密码" in page.get_data(as_text=True)
    wrong = here.post("/account/password", data={"current_password": "nope", "new_password": "a-new-password",
                                                 "confirm_password": "a-new-password"})
    assert wrong.status_code == 422 and "当前密码错误" in wrong.get_data(as_text=True)
    differ = here.post("/account/password", data={"current_password": "demo123", "new_password": "a-new-password",
                                                  "confirm_password": "another-one"})
    assert differ.status_code == 422 and "两次输入的新密码不一致" in differ.get_data(as_text=True)
    short = here.post("/account/password", data={"current_password": "demo123", "new_password": "short",
                                                 "confirm_password": "short"})
    assert short.status_code == 422 and "新密码至少 8 个字符" in short.get_data(as_text=True)
    done = here.post("/account/password", data={"current_password": "demo123", "new_password": "a-new-password",
                                                "confirm_password": "a-new-password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert here.get("/inbox").status_code == 302 and elsewhere.get("/inbox").status_code == 302
    again = Browserless(web_app)
    assert again.post("/login", data={"username": "street_yz", "password": "demo123"}).status_code == 401
    assert again.post("/login", data={"username": "street_yz", "password": "a-new-password"}).status_code == 302


def test_the_login_page_shows_the_demo_accounts_only_in_development(web_app):
    assert "demo123" in Browserless(web_app).get("/login").get_data(as_text=True)
    settings = web_app.extensions["housing.settings"]
    web_app.extensions["housing.settings"] = settings.with_(env="production")
    try:
        assert "demo123" not in web_app.test_client().get("/login").get_data(as_text=True)
    finally:
        web_app.extensions["housing.settings"] = settings


def test_elder_mode_is_a_posted_choice_remembered_for_the_user(web_app, as_user):
    from app.services import user_service

    visitor = Browserless(web_app)
    assert visitor.client.post("/display/elder", data={"next": "/login"}).status_code == 400  # no CSRF token
    assert 'class="elder"' not in visitor.get("/login").get_data(as_text=True)
    response = visitor.post("/display/elder", data={"next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]
    page = visitor.get("/login").get_data(as_text=True)
    assert 'class="elder"' in page and "标准模式" in page  # chosen before logging in, for this browser

    b = as_user("applicant")
    b.post("/display/elder", data={"next": "/portal"})
    with web_app.app_context():
        assert user_service.elder_mode("applicant") is True
    other = as_user("applicant")  # another browser: the choice comes with the login
    assert 'class="elder"' in other.get("/portal").get_data(as_text=True)
    other.post("/display/elder", data={"next": "/portal"})
    with web_app.app_context():
        assert user_service.elder_mode("applicant") is False
    assert 'class="elder"' not in as_user("applicant").get("/portal").get_data(as_text=True)
