"""Fuzz every documented operation against the generated OpenAPI document (schemathesis).

The app runs in-process (WSGI) on real PostgreSQL, as an admin and as an applicant; requests
are generated from the document, valid ones and invalid ones. Every answer must be documented:
no 5xx, a documented status and content type, a body that matches its schema, and invalid
input refused with a 4xx. A fixed number of examples per operation and a fixed seed keep the run
short and repeatable (``HOUSING_FUZZ_EXAMPLES`` raises the number for a longer local run).
"""

from __future__ import annotations

import os
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import job_service
from tests.conftest import FIXTURES, ROOT, bearer, deploy_fixture, make_settings, truncate
from tests.support.api import start

pytestmark = pytest.mark.integration
EXAMPLES = int(os.environ.get("HOUSING_FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, unsupported_method]


@pytest.fixture
def housing_app(pg_url, tmp_path):
    """The app on PostgreSQL with the real forms/ (and the test process's form), jobs inline."""
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    shutil.copy(FIXTURES / "forms" / "test-review.schema.json", forms)
    application = create_app(make_settings(pg_url, forms_dir=str(forms)),
                             runner=InlineRunner(job_service.execute_batch, synchronous=True))
    with application.app_context():
        yield application
    truncate(pg_url)


@pytest.fixture
def running(housing_app) -> dict:
    """A deployed process and a running instance of it, waiting at a manual task."""
    client = housing_app.test_client()
    assert deploy_fixture(client, bearer(housing_app), "smoke.bpmn").status_code == 201
    return start(client, bearer(housing_app), "smoke", {"members": [{"income": 1}], "district": "渝中区"}, "FUZZ-1")


@pytest.fixture
def api_schema(housing_app, running):
    """The app's own document, with some state to find (:func:`running`)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", housing_app)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=EXAMPLES, deterministic=True, with_security_parameters=False)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ
def test_api_conforms_to_its_document_as_admin(case, housing_app):
    case.call_and_validate(headers=bearer(housing_app, "admin"), checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_conforms_to_its_document_as_applicant(case, housing_app):
    case.call_and_validate(headers=bearer(housing_app, "applicant"), checks=CHECKS)


def test_answers_about_real_resources_match_the_document(housing_app, running):
    """Generated ids rarely name anything, so the answers about an existing instance, task and
    definition are checked against the document here, one real request each."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", housing_app)
    client, admin = housing_app.test_client(), bearer(housing_app)
    instance_id = running["id"]
    task_id = running["ready_tasks"][0]["id"]
    requests = [
        ("GET", "/process-instances/{instance_id}", f"/process-instances/{instance_id}?full_ids=true", None),
        ("GET", "/process-instances/{instance_id}/history", f"/process-instances/{instance_id}/history", None),
        ("POST", "/process-instances/{instance_id}/timers/fire", f"/process-instances/{instance_id}/timers/fire",
         None),
        ("GET", "/process-definitions", "/process-definitions", None),
        ("GET", "/process-definitions/{key}/versions", "/process-definitions/smoke/versions", None),
        ("GET", "/process-definitions/{key}/versions/{version}", "/process-definitions/smoke/versions/1", None),
        ("GET", "/process-definitions/{key}/diff", "/process-definitions/smoke/diff?from_version=1&to_version=1",
         None),
        ("GET", "/process-definitions/{key}/migration-plan", "/process-definitions/smoke/migration-plan", None),
        ("POST", "/process-definitions/{key}/migrations", "/process-definitions/smoke/migrations",
         {"instance_ids": [instance_id]}),
        ("GET", "/tasks", "/tasks?status=", None),
        ("GET", "/tasks/{task_id}", f"/tasks/{task_id}", None),
        ("POST", "/tasks/{task_id}/claim", f"/tasks/{task_id}/claim", None),
        ("POST", "/tasks/{task_id}/unclaim", f"/tasks/{task_id}/unclaim", None),
        ("POST", "/tasks/{task_id}/complete", f"/tasks/{task_id}/complete",
         {"data": {}}),
        ("GET", "/incidents", "/incidents?status=", None),
        ("GET", "/modeler/catalog", "/modeler/catalog", None),
        ("GET", "/operators", "/operators", None),
        ("GET", "/me", "/me", None),
        ("GET", "/applications", "/applications", None),
        ("GET", "/openapi.json", "/openapi.json", None),
    ]
    for method, template, url, body in requests:
        response = client.open(f"/api/v1{url}", method=method, headers=admin, json=body)
        assert 200 <= response.status_code < 300, (url, response.get_json())
        schema[template][method].Case().validate_response(
            response, checks=[status_code_conformance, content_type_conformance, response_schema_conformance])
