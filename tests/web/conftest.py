"""Fixtures for page tests: the app on PostgreSQL with the demo users and a small review process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import definition_service, demo_service, instance_service, job_service
from tests.conftest import close, make_settings, truncate

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture
def web_app(pg_url):
    """The app with the page-test forms, demo users and the review process deployed."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    application = create_app(make_settings(pg_url, forms_dir=str(FIXTURES / "forms")), runner=runner)
    with application.app_context():
        demo_service.load_demo_users()
        definition_service.deploy([("web_review.bpmn", (FIXTURES / "web_review.bpmn").read_bytes())], "test")
        yield application
    close(application)
    truncate(pg_url)


def start_case(no: str, district: str = "渝中区", name: str = "张三丰", housing_type: str = "公租房",
               applicant: str = "applicant") -> str:
    """Start a review case; returns the instance id."""
    data = {"application_no": no, "applicant_name": name, "housing_type": housing_type, "district": district,
            "applicant_username": applicant, "title": f"{name}的申请", "id_number": "110105199001011234"}
    return instance_service.start_instance("web_review", data, business_key=no, actor=applicant).id


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Browserless:
    """A logged-in test client that sends the page's CSRF token with every POST."""

    def __init__(self, app, username: str | None = None):
        self.client = app.test_client()
        self.token = csrf_of(self.client.get("/login").get_data(as_text=True))
        if username:
            response = self.post("/login", data={"username": username, "password": "demo123"})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        response = self.client.post(url, data=data, **kw)
        return response

    def refresh_token(self, url: str = "/") -> None:
        """Read the (rotated) token from a page after login."""
        self.token = csrf_of(self.client.get(url, follow_redirects=True).get_data(as_text=True))


@pytest.fixture
def as_user(web_app):
    """``as_user("street_yz")`` → a logged-in client."""

    def make(username: str | None = None) -> Browserless:
        b = Browserless(web_app, username)
        if username:
            b.refresh_token()
        return b

    return make


@pytest.fixture
def real_forms(web_app):
    """The page app reading the repository's own forms/ (application, objection …)."""
    from tests.conftest import ROOT

    settings = web_app.extensions["housing.settings"]
    web_app.extensions["housing.settings"] = settings.with_(forms_dir=str(ROOT / "forms"))
    yield web_app
    web_app.extensions["housing.settings"] = settings
