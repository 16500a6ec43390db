"""Try before deploy: the scenario files of a process run against edited, undeployed files —
through the service, the page action and the API."""

from __future__ import annotations

import io

import pytest

from app.services import definition_service, scenario_trial_service
from app.services.errors import DeploymentInvalid
from tests.conftest import bearer
from tests.modeler.conftest import BPMN, DMN, fixture_text

SEVEN_DAYS = fixture_text(BPMN).replace("workdays_from_now(10)", "workdays_from_now(7)")


def _upload(client, url, text, headers=None, **form):
    return client.post(url, data={"files": (io.BytesIO(text.encode()), BPMN), **form}, headers=headers or {},
                       content_type="multipart/form-data")


def test_scenario_files_are_found_by_the_process_they_name(modeler_app):
    found = scenario_trial_service.scenarios_for({"gzf_trial"})
    assert [f for f, _s in found] == ["gzf_trial.scenarios.json"] * 2
    assert scenario_trial_service.scenarios_for({"other"}) == []


def test_unchanged_files_pass_their_scenarios(modeler_app):
    result = scenario_trial_service.run("gzf_trial", [(BPMN, fixture_text(BPMN).encode())])
    assert (result["passed"], result["failed"]) == (2, 0), result["scenarios"]
    assert result["processes"] == ["gzf_trial"]


def test_a_raised_income_line_fails_the_scenario_that_expected_a_rejection(modeler_app):
    edited = fixture_text(DMN).replace("&lt;= 4148", "&lt;= 4500")
    result = scenario_trial_service.run("gzf_income_line", [(DMN, edited.encode())])
    assert result["processes"] == ["gzf_trial"]
    by_name = {s["name"]: s for s in result["scenarios"]}
    rejected = next(s for name, s in by_name.items() if "超过收入线" in name)
    assert not rejected["passed"] and any("end_rejected" in f for f in rejected["failures"])
    assert (result["passed"], result["failed"]) == (1, 1)


def test_the_edited_bpmn_is_what_runs_not_the_deployed_one(modeler_app):
    broken = fixture_text(BPMN).replace("eligible == True", "eligible == False").replace(
        "eligible != True", "eligible != False")
    result = scenario_trial_service.run("gzf_trial", [(BPMN, broken.encode())])
    assert result["failed"] == 2
    assert definition_service.list_versions("gzf_trial")[0]["version"] == 1  # nothing was deployed


def test_files_with_errors_are_refused_with_their_problems(modeler_app):
    unknown = fixture_text(BPMN).replace('id="test/echo"', 'id="nowhere/nothing"')
    with pytest.raises(DeploymentInvalid) as caught:
        scenario_trial_service.run("gzf_trial", [(BPMN, unknown.encode())])
    assert [p["element_id"] for p in caught.value.problems] == ["verify_income"]


def test_scenarios_run_from_the_editor(login):
    b = login("policy")
    body = _upload(b.client, "/admin/modeler/api/scenarios/gzf_trial", SEVEN_DAYS, csrf_token=b.token).get_json()
    assert (body["passed"], body["failed"]) == (2, 0)


def test_scenarios_on_edited_files_without_deploying(modeler_app):
    client = modeler_app.test_client()
    edited = fixture_text(BPMN).replace("eligible == True", "eligible == False")
    url = "/api/v1/process-definitions/gzf_trial/scenarios"
    answer = _upload(client, url, edited, bearer(modeler_app, "policy"))
    body = answer.get_json()
    assert answer.status_code == 200 and body["failed"] >= 1
    assert all(s["file"] == "gzf_trial.scenarios.json" for s in body["scenarios"])
    denied = _upload(client, url, edited, bearer(modeler_app, "reviewer"))
    assert denied.status_code == 403
    versions = client.get("/api/v1/process-definitions/gzf_trial/versions", headers=bearer(modeler_app)).get_json()
    assert [v["version"] for v in versions["items"]] == [1]
