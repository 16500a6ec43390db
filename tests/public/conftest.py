"""Fixtures for the public-service tests: the app on PostgreSQL with the project's forms, the
demo users, and helpers that deploy the real processes and create a case to query."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete

from app.auth.identity import Identity
from app.cli import deploy_directory
from app.db import db
from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.models import Application
from app.public import ratelimit as public_ratelimit
from app.services import definition_service, demo_service, job_service
from tests.conftest import ROOT, close, make_settings, truncate

POLICY = Identity("policy", "冯雪", roles=("policy",), groups=("policy",))
REVIEWER = Identity("street_yz", "王芳", roles=("reviewer",), groups=("street_reviewer",))
ID_NUMBER = "500103199003071234"
PHONE = "13800001111"
DMN = ROOT / "processes" / "gongzufang_eligibility.dmn"


@pytest.fixture
def public_app(pg_url):
    """The app with the project's forms and the demo users; limits reset."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    application = create_app(make_settings(pg_url, forms_dir=str(ROOT / "forms")), runner=runner)
    with application.app_context():
        demo_service.load_demo_users()
        public_ratelimit.reset()
        yield application
    close(application)
    truncate(pg_url)


@pytest.fixture
def deployed(public_app):
    """Every process and decision of processes/ deployed, as `housing serve` does."""
    deploy_directory(ROOT / "processes")
    return public_app


def deploy_income_line(size3_line: int) -> None:
    """Deploy a new version of the 公租房 decisions whose 3-person income line cell is ``size3_line``."""
    xml = DMN.read_text(encoding="utf-8")
    cell = "<text>4148</text>"
    assert xml.count(cell) == 1, "the 3-person income line cell moved; update this helper"
    changed = xml.replace(cell, f"<text>{size3_line}</text>").encode("utf-8")
    definition_service.deploy([("gongzufang_eligibility.dmn", changed)], "policy", "调整3人户收入线")


def make_case(application_no: str = "GZF2026-000123", *, status: str = "in_review", step: str = "初审",
              name: str = "张三丰") -> str:
    """A case as the handlers write it (no workflow needed to query its progress)."""
    with db.transaction() as session:
        session.add(Application(
            application_no=application_no, housing_type="gongzufang", district="渝中区",
            applicant_username="applicant", applicant_name=name, applicant_name_masked=name[0] + "*" + name[-1],
            applicant_id_number=ID_NUMBER, applicant_phone=PHONE, household_type="single", household_size=3,
            status=status, current_step=step, suggested_opinion="内部意见：建议通过",
            declared={"address": "渝中区解放碑街道100号"},
            submitted_at=datetime(2026, 11, 2, 2, 0, tzinfo=UTC), updated_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC)))
    return application_no


def clear_cases() -> None:
    with db.transaction() as session:
        session.execute(delete(Application))
