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
def api_schema(housing_app):
    """The app's own document, with some state to find: a deployed process and a running
    instance waiting at a user task."""
    client = housing_app.test_client()
    assert deploy_fixture(client, bearer(housing_app), "smoke.bpmn").status_code == 201
    start(client, bearer(housing_app), "smoke", {"members": [{"income": 1}], "district": "渝中区"}, "FUZZ-1")
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
