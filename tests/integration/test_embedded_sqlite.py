"""The embedded default (SQLite + inline runner) runs the same flows."""

from __future__ import annotations

from tests.conftest import bearer, deploy_fixture
from tests.support.api import complete, instance, ready, start


def test_a_case_runs_end_to_end_on_sqlite(sqlite_app):
    client = sqlite_app.test_client()
    headers = bearer(sqlite_app)
    assert deploy_fixture(client, headers, "smoke.bpmn", "call_parent.bpmn", "call_child.bpmn",
                          "income_grade.dmn").status_code == 201
    inst = start(client, headers, "smoke", {"members": [{"income": 1}, {"income": 2}], "district": "渝中区"})
    complete(client, headers, ready(client, headers, inst["id"], "manual_b")[0]["id"])
    review = ready(client, headers, inst["id"], "review")[0]
    assert complete(client, headers, review["id"], {"decision": "approve", "opinion": "同意"}).status_code == 200
    assert complete(client, headers, review["id"], {"decision": "approve", "opinion": "同意"}).status_code == 409
    assert instance(client, headers, inst["id"])["status"] == "completed"
    parent = start(client, headers, "call_parent", {"income": 9000})
    assert instance(client, headers, parent["id"])["data"]["level"] == "high"
