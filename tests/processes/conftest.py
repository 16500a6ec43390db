"""Fixtures for the housing processes: an app with the real forms/, deployed diagrams."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.models import HumanTask, TaskCandidate
from app.services import case_service, job_service, task_service
from connectors.testing import FAST_SETTINGS, running_sandbox
from tests.conftest import bearer, close, make_settings, truncate
from tests.integration.test_rq_workers import redis_server  # noqa: F401  (a private redis-server per test)

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"


def process_files() -> list[Path]:
    """Every BPMN and DMN file of processes/."""
    return sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))


@pytest.fixture
def housing_app(pg_url):
    """The app on PostgreSQL with the real forms/ and processes/, jobs run inline."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    application = create_app(make_settings(pg_url, forms_dir=str(ROOT / "forms"),
                                            processes_dir=str(PROCESSES)), runner=runner)
    with application.app_context():
        yield application
    close(application)
    truncate(pg_url)


@pytest.fixture
def housing_client(housing_app):
    return housing_app.test_client()


def deploy(client, app, files: list[tuple[str, bytes]] | None = None):
    """Deploy files (default: all of processes/) through the API as the policy user."""
    files = files if files is not None else [(p.name, p.read_bytes()) for p in process_files()]
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/api/v1/process-definitions", data=data, headers=bearer(app, "policy"),
                       content_type="multipart/form-data")


# -- a running case: PostgreSQL, real forms, the connectors over HTTP to a sandbox -----------

HOUSEHOLDS = sorted(p.stem for p in (PROCESSES / "stubs" / "households").glob("*.json"))
ELIGIBLE = ("eligible", "eligible_priority")


def household(key: str) -> dict:
    """A recorded fixture household: its application form, start data and source answers."""
    return json.loads((PROCESSES / "stubs" / "households" / f"{key}.json").read_text(encoding="utf-8"))


def staff(username: str, group: str, district: str | None = None, role: str = "reviewer") -> Identity:
    return Identity(username, username, roles=(role,), groups=(group,), district=district)


def applicant(key: str) -> Identity:
    return Identity(f"demo_{key}", "申请人", roles=("applicant",), groups=("applicant",))


@pytest.fixture(scope="session")
def sandbox():
    with running_sandbox(latency_seconds=0.0) as (url, admin):
        yield url, admin


@pytest.fixture
def flow_app(pg_url, sandbox):
    """The app with every diagram deployed and the connectors pointed at the sandbox."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    app = create_app(make_settings(pg_url, forms_dir=str(ROOT / "forms"), processes_dir=str(PROCESSES),
                                   sandbox_url=sandbox[0], extra=FAST_SETTINGS), runner=runner)
    with app.app_context():
        assert deploy(app.test_client(), app).status_code == 201
        yield app
    close(app)
    truncate(pg_url)


def submit(key: str) -> dict:
    return case_service.submit_application(applicant(key), household(key)["form"])


def ready_task(business_key: str, bpmn_id: str, group: str | None = None) -> HumanTask | None:
    query = select(HumanTask).where(HumanTask.business_key == business_key, HumanTask.bpmn_id == bpmn_id,
                                    HumanTask.status == "ready")
    if group:
        query = query.join(TaskCandidate, TaskCandidate.task_id == HumanTask.id).where(
            TaskCandidate.group_name == group)
    with db.session() as session:
        return session.scalar(query)


def complete(identity: Identity, business_key: str, bpmn_id: str, data: dict, group: str | None = None) -> None:
    task = ready_task(business_key, bpmn_id, group)
    assert task is not None, f"{bpmn_id} is not ready for {business_key}"
    task_service.complete(identity, task.id, data)


def review_through_countersign(number: str, district: str) -> None:
    """受理, 初审, 复审 and the three departments' countersign, all approving."""
    street = staff("street", "street_reviewer", district)
    complete(street, number, "acceptance", {"decision": "accept", "opinion": "材料齐全"})
    complete(street, number, "preliminary_review", {"decision": "approve", "opinion": "入户核查属实"})
    complete(staff("district", "district_reviewer", district, "district_reviewer"), number, "district_review",
             {"decision": "approve", "opinion": "同意"})
    for group in ("dept_minzheng", "dept_zhujian", "dept_renshe"):
        complete(staff(group, group, None, "dept_reviewer"), number, "countersign",
                 {"signature": {"decision": "approve", "opinion": "同意"}}, group)
