"""Fixtures for the housing processes: an app with the real forms/, deployed diagrams."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import job_service
from tests.conftest import bearer, make_settings, truncate

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
