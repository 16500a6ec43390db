"""The modeler pages and their JSON actions: who may use them, CSRF, validate, deploy with a
comment, preview, versions, diff and the migration of waiting cases."""

from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from app.db import db
from app.models import ProcessDefinition, ProcessInstance
from app.services import instance_service
from tests.modeler.conftest import BPMN, DMN, fixture_text
from tests.support.settle import settle

UNKNOWN_OPERATOR = fixture_text(BPMN).replace('id="test/echo"', 'id="nowhere/nothing"')
SEVEN_DAYS = fixture_text(BPMN).replace("workdays_from_now(10)", "workdays_from_now(7)")
RAISED_LINE = fixture_text(DMN).replace("&lt;= 4148", "&lt;= 4500")


def _files(name: str, text: str) -> dict:
    return {"files": (io.BytesIO(text.encode()), name)}


def _post(client, url, name, text, **form):
    return client.post(url, data={**_files(name, text), **form}, content_type="multipart/form-data")


def _page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="modeler-data">(.*?)</script>', html, re.S)
    assert match, "the editor page embeds its data"
    return json.loads(match.group(1))


def _start(no: str, size: int, income: int) -> str:
    instance = instance_service.start_instance("gzf_trial", {"application_no": no, "household_size": size,
                                                             "income_per_person": income}, business_key=no)
    settle()
    return instance.id


def test_policy_staff_open_the_editor_on_any_version(login):
    b = login("policy")
    assert 'data-testid="edit-gzf_trial"' in b.get("/admin/modeler").get_data(as_text=True)
    data = _page_data(b.get("/admin/modeler/edit/gzf_trial").get_data(as_text=True))
    assert data["kind"] == "process" and data["version"] == 1 and data["file_name"] == BPMN
    assert "workdays_from_now(10)" in data["xml"]
    assert data["urls"]["validate"] == "/admin/modeler/api/validate"
    dmn = _page_data(b.get("/admin/modeler/edit/gzf_income_line?version=1").get_data(as_text=True))
    assert dmn["kind"] == "decision" and dmn["urls"]["preview"] == "/admin/modeler/api/preview/gzf_income_line"
    assert b.get("/admin/modeler/edit/gzf_trial?version=9").status_code == 404


def test_only_policy_and_admin_may_edit_deploy_or_migrate(login):
    for username in ("street_yz", "operator", "applicant"):
        b = login(username)
        assert b.get("/admin/modeler/edit/gzf_trial").status_code == 403
        assert b.get("/admin/modeler/migrate/gzf_trial").status_code == 403
        answer = _post(b, "/admin/modeler/api/deploy", BPMN, SEVEN_DAYS, comment="x", csrf_token=b.token)
        assert answer.status_code == 403 and answer.is_json
    assert login("operator").get("/admin/modeler/versions/gzf_trial").status_code == 200
    assert login("admin").get("/admin/modeler/edit/gzf_trial").status_code == 200


def test_actions_need_a_session_and_the_csrf_token(modeler_app, login):
    fresh = modeler_app.test_client()
    assert fresh.get("/admin/modeler/api/catalog").status_code == 401
    b = login("policy")
    no_token = b.client.post("/admin/modeler/api/deploy", data={**_files(BPMN, SEVEN_DAYS), "comment": "x"},
                             content_type="multipart/form-data")
    assert no_token.status_code == 400
    with db.session() as session:
        assert session.scalar(select(ProcessDefinition.version).where(ProcessDefinition.key == "gzf_trial")
                              .order_by(ProcessDefinition.version.desc()).limit(1)) == 1


def test_validate_places_an_unknown_operator_on_its_element(login):
    b = login("policy")
    answer = _post(b, "/admin/modeler/api/validate", BPMN, UNKNOWN_OPERATOR, csrf_token=b.token).get_json()
    assert answer["valid"] is False
    errors = [p for p in answer["problems"] if p["severity"] == "error"]
    assert [(p["element_id"], p["file"]) for p in errors] == [("verify_income", BPMN)]
    assert "nowhere/nothing" in errors[0]["message"]
    fine = _post(b, "/admin/modeler/api/validate", BPMN, SEVEN_DAYS, csrf_token=b.token).get_json()
    assert fine["valid"] is True


def test_deploy_records_who_and_why_and_a_refused_deploy_lists_problems(login):
    b = login("policy")
    refused = _post(b, "/admin/modeler/api/deploy", BPMN, UNKNOWN_OPERATOR, comment="坏的", csrf_token=b.token)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert [e["element_id"] for e in refused.get_json()["errors"] if e["severity"] == "error"] == ["verify_income"]
    made = _post(b, "/admin/modeler/api/deploy", BPMN, SEVEN_DAYS, comment="公示期改为 7 个工作日", csrf_token=b.token)
    assert made.status_code == 201
    assert [(i["key"], i["version"], i["created"]) for i in made.get_json()["items"]] == [("gzf_trial", 2, True)]
    page = b.get("/admin/modeler/versions/gzf_trial").get_data(as_text=True)
    assert "公示期改为 7 个工作日" in page and '<td data-testid="deployed-by">policy</td>' in page


def test_a_deploy_from_the_modeler_needs_a_comment(login):
    b = login("policy")
    for comment in ("", "   "):
        refused = _post(b, "/admin/modeler/api/deploy", BPMN, SEVEN_DAYS, comment=comment, csrf_token=b.token)
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
        body = refused.get_json()
        assert body["detail"].startswith("请填写部署说明") and body["errors"] == {"comment": ["请填写部署说明"]}
    with db.session() as session:
        assert session.scalar(select(ProcessDefinition.version).where(ProcessDefinition.key == "gzf_trial")
                              .order_by(ProcessDefinition.version.desc()).limit(1)) == 1


def test_versions_show_running_cases_and_the_diff_page_marks_the_change(modeler_app, login):
    _start("GZF-P-1", 3, 4000)
    b = login("policy")
    _post(b, "/admin/modeler/api/deploy", BPMN, SEVEN_DAYS, comment="7 天", csrf_token=b.token)
    versions = b.get("/admin/modeler/versions/gzf_trial").get_data(as_text=True)
    rows = re.findall(r'<tr data-version="(\d+)">.*?<td data-testid="running">(\d+)</td>', versions, re.S)
    assert rows == [("2", "0"), ("1", "1")]
    diff = b.get("/admin/modeler/diff/gzf_trial?from=1&to=2").get_data(as_text=True)
    assert 'data-change="changed" data-element-id="publicity_period"' in diff
    assert _page_data(diff)["diff"]["changed"][0]["changes"] == ["timerEventDefinition"]


def test_policy_preview_lists_the_decided_cases_a_raised_line_would_change(modeler_app, login):
    _start("GZF-P-1", 3, 4300)   # over the line of 4148, under 4500: would change
    _start("GZF-P-2", 3, 4000)   # under both lines
    _start("GZF-P-3", 1, 4300)   # single: another rule, unchanged
    b = login("policy")
    answer = _post(b, "/admin/modeler/api/preview/gzf_income_line?limit=10", DMN, RAISED_LINE, csrf_token=b.token)
    body = answer.get_json()
    assert answer.status_code == 200 and body["cases"] == 3
    assert [(c["business_key"], c["before"]["eligible"], c["after"]["eligible"]) for c in body["changed"]] == [
        ("GZF-P-1", False, True)]
    assert body["eligibility_changed"] == 1 and body["intermediate_changed"] == 0
    line_too = RAISED_LINE.replace("<text>4148</text>", "<text>4500</text>")
    body = _post(b, "/admin/modeler/api/preview/gzf_income_line", DMN, line_too, csrf_token=b.token).get_json()
    flips = {c["business_key"]: c["eligibility_changed"] for c in body["changed"]}
    assert flips == {"GZF-P-1": True, "GZF-P-2": False}   # GZF-P-2: only its income_line moves
    assert body["eligibility_changed"] == 1 and body["intermediate_changed"] == 1


def test_migration_page_moves_a_waiting_case_and_reports_the_others(modeler_app, login):
    waiting = _start("GZF-M-1", 3, 4000)      # waits at street_review
    b = login("policy")
    _post(b, "/admin/modeler/api/deploy", BPMN, SEVEN_DAYS, comment="7 天", csrf_token=b.token)
    plan = b.get("/admin/modeler/migrate/gzf_trial").get_data(as_text=True)
    assert f'data-instance="{waiting}" data-business-key="GZF-M-1" data-can-migrate="1"' in plan
    assert "street_review" in plan
    done = b.post("/admin/modeler/migrate/gzf_trial", data={"instance_id": waiting, "to_version": "2"})
    assert done.status_code == 200
    assert f'data-instance="{waiting}" data-migrated="1"' in done.get_data(as_text=True)
    with db.session() as session:
        instance = session.get(ProcessInstance, waiting)
        assert session.get(ProcessDefinition, instance.definition_id).version == 2
    without_token = b.client.post("/admin/modeler/migrate/gzf_trial", data={"instance_id": waiting})
    assert without_token.status_code == 400


def test_a_case_waiting_at_a_step_the_new_version_lacks_cannot_move(modeler_app, login):
    waiting = _start("GZF-M-2", 3, 4000)
    b = login("policy")
    renamed = SEVEN_DAYS.replace("street_review", "street_check")
    assert _post(b, "/admin/modeler/api/deploy", BPMN, renamed, comment="改名", csrf_token=b.token).status_code == 201
    plan = b.get("/admin/modeler/migrate/gzf_trial?to_version=2").get_data(as_text=True)
    row = re.search(rf'<tr data-instance="{waiting}".*?</tr>', plan, re.S).group(0)
    assert 'data-can-migrate="0"' in row and 'name="instance_id"' not in row
    assert '<span data-testid="missing-waiting">正在等待：street_review</span>' in row
    forced = b.post("/admin/modeler/migrate/gzf_trial", data={"instance_id": waiting, "to_version": "2"})
    assert f'data-instance="{waiting}" data-migrated="0"' in forced.get_data(as_text=True)


def test_new_diagrams_and_the_english_pages(login):
    b = login("policy")
    fresh = _page_data(b.get("/admin/modeler/new/bpmn").get_data(as_text=True))
    assert fresh["kind"] == "process" and fresh["file_name"] is None and "<bpmn:startEvent" in fresh["xml"]
    table = _page_data(b.get("/admin/modeler/new/dmn").get_data(as_text=True))
    assert table["kind"] == "decision" and 'hitPolicy="UNIQUE"' in table["xml"]
    assert b.get("/admin/modeler/new/xml").status_code == 404
    assert ">校验<" in b.get("/admin/modeler/edit/gzf_trial").get_data(as_text=True)
    b.get("/lang/en")
    english = b.get("/admin/modeler/edit/gzf_trial").get_data(as_text=True)
    assert ">Validate<" in english and ">Deploy new version<" in english
    texts = json.loads(re.search(r'id="modeler-texts">(.*?)</script>', english, re.S).group(1))
    assert texts["validating"] == "Validating…" and texts["working_days"] == "Deadline (working days)"
