"""The task page: form from JSON Schema, validation, history, masked / audited ID numbers, diagram."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from app.models import AuditEvent, HumanTask
from tests.web.conftest import start_case


def _ready(instance_id: str) -> HumanTask:
    with db.session() as session:
        return session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.status == "ready"))


def _full_views(instance_id: str) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).where(AuditEvent.instance_id == instance_id,
                                                         AuditEvent.action == "pii.full_view"))


def test_the_form_renders_from_the_schema_with_decision_buttons(web_app, as_user):
    task = _ready(start_case("T-1"))
    page = as_user("street_yz").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'name="opinion"' in page and "<textarea" in page and 'type="date"' in page
    for value, label in (("approve", "通过"), ("return", "退回补正"), ("reject", "不通过")):
        assert f'data-testid="decision-{value}"' in page and label in page
    assert "请核对 张三丰 的申请" in page or "请核对" in page
    assert "110105********1234" in page and "110105199001011234" not in page


def test_a_missing_opinion_shows_the_form_again_with_the_error(web_app, as_user):
    task = _ready(start_case("T-2"))
    b = as_user("street_yz")
    response = b.post(f"/tasks/{task.id}/complete", data={"decision": "approve", "opinion": ""})
    assert response.status_code == 422
    assert 'data-error-for="opinion"' in response.get_data(as_text=True)
    assert _ready(task.instance_id).id == task.id


def test_approving_moves_the_case_on_and_the_history_shows_the_opinion(web_app, as_user):
    instance_id = start_case("T-3")
    task = _ready(instance_id)
    b = as_user("street_yz")
    response = b.post(f"/tasks/{task.id}/complete", data={
        "decision": "approve", "opinion": "材料齐全，同意上报", "home_visit": "on", "home_visit.present": "1",
        "visit_date": "2026-11-20"})
    assert response.status_code == 302
    nxt = _ready(instance_id)
    assert nxt.name == "复审"
    district = as_user("district_yz")
    page = district.get(f"/tasks/{nxt.id}").get_data(as_text=True)
    assert "材料齐全，同意上报" in page and "street_yz" in page
    # the decision as the form names it, in the page's language, never the stored code
    assert '<span data-testid="history-decision">通过</span>' in page and ">approve<" not in page
    district.get("/lang/en")
    english = district.get(f"/tasks/{nxt.id}").get_data(as_text=True)
    assert '<span data-testid="history-decision">通过</span>' not in english


def test_whole_id_numbers_only_for_roles_that_need_them_and_each_view_is_audited(web_app, as_user):
    instance_id = start_case("T-4")
    task = _ready(instance_id)
    assert as_user("street_yz").post(f"/tasks/{task.id}/full-ids").status_code == 403
    as_user("street_yz").post(f"/tasks/{task.id}/complete", data={"decision": "approve", "opinion": "同意上报"})
    nxt = _ready(instance_id)
    district = as_user("district_yz")
    page = district.post(f"/tasks/{nxt.id}/full-ids").get_data(as_text=True)
    assert "110105199001011234" in page and _full_views(instance_id) == 1
    district.post(f"/tasks/{nxt.id}/full-ids")
    assert _full_views(instance_id) == 2
    assert "110105199001011234" not in district.get(f"/tasks/{nxt.id}").get_data(as_text=True)


def test_the_diagram_marks_the_current_step(web_app, as_user):
    task = _ready(start_case("T-5"))
    info = as_user("street_yz").get(f"/tasks/{task.id}/diagram").get_json()
    assert info["current"] == ["street_review"] and "start" in info["done"]
    assert 'id="street_review"' in info["xml"]
    assert as_user("street_jb").get(f"/tasks/{task.id}/diagram").status_code == 404


def test_the_applicant_completes_their_own_task_and_nobody_else_can(web_app, as_user):
    instance_id = start_case("T-6")
    as_user("street_yz").post(f"/tasks/{_ready(instance_id).id}/complete",
                              data={"decision": "approve", "opinion": "同意上报"})
    as_user("district_yz").post(f"/tasks/{_ready(instance_id).id}/complete",
                                data={"decision": "approve", "opinion": "同意"})
    mine = _ready(instance_id)
    assert mine.assignee == "applicant"
    assert as_user("applicant2").get(f"/tasks/{mine.id}").status_code == 404
    assert as_user("applicant2").get(f"/portal/cases/{instance_id}").status_code == 404
    applicant = as_user("applicant")
    assert mine.id in applicant.get("/portal").get_data(as_text=True)
    response = applicant.post(f"/tasks/{mine.id}/complete", data={"confirmed": "on", "confirmed.present": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal")
    assert _ready(instance_id) is None
    timeline = applicant.get(f"/portal/cases/{instance_id}").get_data(as_text=True)
    assert "初审" in timeline and "复审" in timeline
