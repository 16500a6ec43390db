"""Imported cases are filed by the officer who uploaded them, for the account the sheet names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.cli import deploy_directory
from app.db import db, utcnow
from app.models import Application, AuditEvent, ImportApplication, ImportJob, ProcessInstance, User
from app.services import batch_import_rows, batch_import_service
from app.services.batch_import_checks import check_sheet
from app.services.user_service import authenticate
from tests.conftest import ROOT


@pytest.fixture
def import_app(real_forms):
    deploy_directory(ROOT / "processes")
    return real_forms


def _case_count() -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Application))


def test_the_officer_starts_the_case_and_the_sheets_account_owns_it(import_app):
    job = batch_import_service.start_import(authenticate("city", "demo123"), "t.csv",
                                            batch_import_rows.template_csv(), background=False)
    number = job.started[0]["application_no"]
    with db.session() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.business_key == number))
        actor = session.scalar(select(AuditEvent.actor).where(AuditEvent.instance_id == instance.id,
                                                              AuditEvent.action == "instance.started"))
        owner = session.scalar(select(Application.applicant_username).where(Application.application_no == number))
    assert instance.started_by == actor == "city"
    assert owner == instance.summary["applicant_username"] == "applicant"


def test_an_application_left_after_the_officers_account_is_disabled_starts_nothing(import_app):
    officer = authenticate("city", "demo123")
    job = batch_import_service.start_import(officer, "t.csv", batch_import_rows.template_csv(), background=False)
    form = check_sheet(officer, batch_import_rows.read_sheet("t.csv", batch_import_rows.template_csv()))[0].form
    with db.transaction() as session:  # one more application waiting when the officer's server stopped
        session.add(ImportApplication(job_id=job.id, position=2, sequence="3", row_numbers=[9], head_row=9,
                                      applicant_username="applicant", district="渝中区", state="pending", form=form))
        session.execute(update(ImportJob).where(ImportJob.id == job.id)
                        .values(state="running", heartbeat_at=utcnow() - timedelta(minutes=10)))
        session.execute(update(User).where(User.username == "city").values(active=False))
    resumed = batch_import_service.resume(authenticate("admin", "demo123"), job.id, background=False)
    assert resumed.state == "finished" and resumed.counts == {"started": 2, "failed": 1}
    assert [(row, message) for row, _column, message in resumed.problems] == [(9, "未能立案：导入人账号已停用")]
    assert _case_count() == 2
