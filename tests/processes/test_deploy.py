"""Every diagram deploys through the API, cleanly, and a threshold cell is a policy edit."""

from __future__ import annotations

from tests.processes.conftest import PROCESSES, deploy, process_files


def test_every_diagram_and_decision_deploys_without_errors_or_warnings(housing_client, housing_app):
    response = deploy(housing_client, housing_app)
    body = response.get_json()
    assert response.status_code == 201, body
    assert body["warnings"] == []
    keys = {(item["kind"], item["key"]) for item in body["items"]}
    for path in process_files():
        assert path.suffix in (".bpmn", ".dmn")
    assert {("process", k) for k in ("gongzufang_application", "baozufang_application", "verification",
                                      "publication")} <= keys
    assert {("decision", k) for k in ("gongzufang_income_line", "gongzufang_eligibility",
                                       "baozufang_eligibility")} <= keys


def test_deploying_the_same_files_again_keeps_every_version(housing_client, housing_app):
    deploy(housing_client, housing_app)
    again = deploy(housing_client, housing_app).get_json()
    assert all(not item["created"] and item["version"] == 1 for item in again["items"])


def test_a_changed_income_line_cell_is_a_new_decision_version(housing_client, housing_app):
    deploy(housing_client, housing_app)
    dmn = (PROCESSES / "gongzufang_eligibility.dmn").read_text(encoding="utf-8")
    edited = dmn.replace("<text>4978</text>", "<text>3500</text>", 1)
    assert edited != dmn
    body = deploy(housing_client, housing_app, [("gongzufang_eligibility.dmn", edited.encode())]).get_json()
    versions = {item["key"]: item["version"] for item in body["items"]}
    assert versions["gongzufang_income_line"] == 2
