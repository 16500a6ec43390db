"""End to end: PostgreSQL, Redis, two real RQ worker processes, the connector sandbox over HTTP.

An application is submitted, the workers call the 14 sources through the sandbox and the
handlers, reviewers work through the API, and the case reaches the 初审 inbox with its
findings and suggested opinion, then the waiting list.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.auth import tokens
from app.db import db
from app.factory import create_app
from app.models import Job, VerificationResult
from app.services import case_service, instance_service, scheduler_service
from connectors.testing import FAST_SETTINGS
from tests.conftest import make_settings, truncate
from tests.processes.conftest import PROCESSES, ROOT, applicant, deploy, household, ready_task, staff
from tests.support.processes import start_worker, stop, worker_env


@pytest.fixture
def rq_housing_app(pg_url, redis_server, sandbox):
    app = create_app(make_settings(pg_url, job_runner="rq", redis_url=redis_server.url,
                                   forms_dir=str(ROOT / "forms"), processes_dir=str(PROCESSES),
                                   sandbox_url=sandbox[0], extra=FAST_SETTINGS))
    with app.app_context():
        assert deploy(app.test_client(), app).status_code == 201
        yield app
    truncate(pg_url)


def _until(predicate, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scheduler_service.tick()
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("not reached in time")


def _complete(app, identity, business_key: str, bpmn_id: str, data: dict, group: str | None = None) -> None:
    task = _until(lambda: ready_task(business_key, bpmn_id, group))
    token, _ = tokens.issue(app.extensions["housing.settings"], identity)
    response = app.test_client().post(f"/api/v1/tasks/{task.id}/complete", json={"data": data},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()


def test_an_application_runs_on_real_workers_against_the_sandbox(rq_housing_app, pg_url, redis_server, sandbox):
    env = worker_env(pg_url, redis_server.url, HOUSING_FORMS_DIR=str(ROOT / "forms"),
                     HOUSING_SANDBOX_URL=sandbox[0], **FAST_SETTINGS)
    workers = [start_worker(env), start_worker(env)]
    try:
        case = case_service.submit_application(applicant("eligible_nuclear"), household("eligible_nuclear")["form"])
        number, district = case["application_no"], case["district"]
        street = staff("street", "street_reviewer", district)
        _complete(rq_housing_app, street, number, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
        _until(lambda: ready_task(number, "preliminary_review"))
        with db.session() as session:
            cells = session.scalar(select(func.count()).select_from(VerificationResult))
            by_source = dict(session.execute(select(Job.operator, func.count()).where(Job.operator.like("%/check"))
                                             .group_by(Job.operator)).all())
        assert cells == 14 * 3 and len(by_source) == 14 and set(by_source.values()) == {1}
        view = case_service.get_case(street, number)
        assert view["status"] == "in_review" and view["suggested_opinion"].startswith("经核查，申请人刘建国家庭共3人")

        _complete(rq_housing_app, street, number, "preliminary_review", {"decision": "approve", "opinion": "属实"})
        _complete(rq_housing_app, staff("district", "district_reviewer", district, "district_reviewer"), number,
                  "district_review", {"decision": "approve", "opinion": "同意"})
        for group in ("dept_minzheng", "dept_zhujian", "dept_renshe"):
            _complete(rq_housing_app, staff(group, group, None, "dept_reviewer"), number, "countersign",
                      {"signature": {"decision": "approve", "opinion": "同意"}}, group)
        _until(lambda: case_service.get_case(street, number)["status"] == "in_publication")
        # the status changes in a job before the case reaches its 公示 timer: wait for the timer
        _until(lambda: any(e["bpmn_id"] == "period_ends"
                           for e in instance_service.get_instance(case["instance_id"])["waiting_events"]))
        instance_service.fire_timers_now(case["instance_id"], "test")
        final = _until(lambda: (c := case_service.get_case(street, number))["status"] == "waiting" and c)
        assert final["outcome"]["status"] == "approved"
        pushed = sandbox[1].requests("allocation_system")  # the result pushed to the 配租系统 over HTTP
        assert any(number in str(r) for r in pushed)
    finally:
        for worker in workers:
            stop(worker)
