"""The connectors appear in ``GET /api/v1/operators`` of the embedded app, with their schemas."""

from __future__ import annotations

from connectors.base import CONNECTORS
from tests.conftest import bearer


def test_every_connector_operation_is_listed_for_the_modeler(sqlite_app):
    answer = sqlite_app.test_client().get("/api/v1/operators", headers=bearer(sqlite_app))
    assert answer.status_code == 200
    listed = {item["name"]: item for item in answer.get_json()["items"]}
    for name, cls in CONNECTORS.items():
        for operation in cls.operation_specs():
            item = listed[f"{name}/{operation}"]
            assert item["kind"] == "connector" and item["parameters"]["properties"], item["name"]
    education = listed["education/check"]["parameters"]
    assert education["required"] == ["members"] and "within_years" in education["properties"]
