"""Fixtures for the modeler: the app with a small 公租房 process, its income-line table and
scenario files deployed from ``tests/modeler/fixtures/processes``, and logged-in clients."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import definition_service, demo_service, job_service
from tests.conftest import close, make_settings, truncate
from tests.web.conftest import Browserless

HERE = Path(__file__).resolve().parent
PROCESSES = HERE / "fixtures" / "processes"
FORMS = HERE.parent / "web" / "fixtures" / "forms"
BPMN = "gzf_trial.bpmn"
DMN = "gzf_income_line.dmn"


def fixture_text(name: str) -> str:
    """A file of the fixture processes folder."""
    return (PROCESSES / name).read_text(encoding="utf-8")


def modeler_settings(database_url: str, **overrides):
    """Settings with the page-test forms and the modeler's processes folder."""
    return make_settings(database_url, forms_dir=str(FORMS), processes_dir=str(PROCESSES), **overrides)


def deploy_fixtures(actor: str = "test", comment: str = "初始版本") -> None:
    """Deploy the income-line table and the process as version 1."""
    definition_service.deploy([(DMN, fixture_text(DMN).encode()), (BPMN, fixture_text(BPMN).encode())],
                              actor, comment)


@pytest.fixture
def modeler_app(pg_url):
    """The app on PostgreSQL, synchronous jobs, demo users, the fixtures deployed."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    application = create_app(modeler_settings(pg_url), runner=runner)
    with application.app_context():
        demo_service.load_demo_users()
        deploy_fixtures()
        yield application
    close(application)
    truncate(pg_url)


@pytest.fixture
def login(modeler_app):
    """``login("policy")`` → a client logged in through the pages, sending the CSRF token."""

    def make(username: str) -> Browserless:
        client = Browserless(modeler_app, username)
        client.refresh_token()
        return client

    return make
