"""Submitting an application writes the case row in the instance's own transaction."""

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from app.factory import create_app
from app.models import Application, ProcessInstance
from app.services import case_service
from tests.conftest import make_settings, truncate
from tests.processes.conftest import PROCESSES, ROOT, applicant, deploy, household


class WitnessRunner:
    """Records, at each hand-over, whether the case row of the job's instance already exists."""

    def __init__(self):
        self.seen: list[bool] = []

    def submit(self, job_ids, force=False):
        with db.session() as session:
            self.seen.append(session.scalar(select(Application.id)) is not None)

    def holds(self, job_id):
        return False


def test_the_case_row_exists_before_any_job_of_the_case_is_handed_over(pg_url):
    runner = WitnessRunner()
    app = create_app(make_settings(pg_url, forms_dir=str(ROOT / "forms"), processes_dir=str(PROCESSES)),
                     runner=runner)
    try:
        with app.app_context():
            assert deploy(app.test_client(), app).status_code == 201
            case = case_service.submit_application(applicant("eligible_single"),
                                                   household("eligible_single")["form"])
            assert runner.seen and all(runner.seen)
            with db.session() as session:
                row = session.scalar(select(Application).where(Application.application_no == case["application_no"]))
                assert row.instance_id == session.scalar(select(ProcessInstance.id))
    finally:
        with app.app_context():
            truncate(pg_url)


def test_a_refused_start_leaves_no_case_behind(pg_url):
    app = create_app(make_settings(pg_url, forms_dir=str(ROOT / "forms"), processes_dir=str(PROCESSES)))
    with app.app_context():  # nothing deployed: the start fails
        try:
            case_service.submit_application(applicant("eligible_single"), household("eligible_single")["form"])
        except Exception as exc:  # noqa: BLE001 - any refusal will do; what matters is what is left
            assert "gongzufang_application" in str(exc)
        with db.session() as session:
            assert session.scalar(select(Application.id)) is None
        truncate(pg_url)
