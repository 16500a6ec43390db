"""Applications submitted for every sandbox household, on PostgreSQL, with the connectors over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from app.db import db
from app.models import Application, PublicationEntry, VerificationResult, WaitingListEntry
from app.services import case_service, instance_service, publication_service, task_service
from app.services.task_service import TaskFilter
from tests.processes.applying import api_headers, apply_over_api
from tests.processes.conftest import (
    ELIGIBLE,
    HOUSEHOLDS,
    PROCESSES,
    applicant,
    complete,
    deploy,
    household,
    ready_task,
    review_through_countersign,
    staff,
    submit,
)
from tests.support.users import token_for


@pytest.mark.parametrize("key", HOUSEHOLDS)
def test_each_sandbox_household_reaches_its_outcome(flow_app, key):
    """Applied for over the API by the applicant; accepted; verified against the sandbox over HTTP."""
    expected, form = household(key)["expected"], household(key)["form"]
    created = apply_over_api(flow_app, applicant(key), form)
    number = created["application_no"]
    assert created["status"] == "submitted" and created["step"] == "受理"
    acceptance = ready_task(number, "acceptance")
    reviewer = staff("street", "street_reviewer", form["district"])
    task_service.complete(reviewer, acceptance.id, {"decision": "accept", "opinion": "材料齐全"})
    response = flow_app.test_client().get(f"/api/v1/applications/{number}", headers=api_headers(flow_app, reviewer))
    assert response.status_code == 200, response.get_json()
    case = response.get_json()
    size = len(form["household"]["members"])
    with db.session() as session:
        cells = session.scalar(select(func.count()).select_from(VerificationResult)
                               .join(Application).where(Application.application_no == number))
    assert cells == 14 * size
    if expected["outcome"] in ELIGIBLE:
        assert case["status"] == "in_review" and case["step"] == "初审"
        assert case["suggested_opinion"].startswith("经核查，申请人") and "建议通过" in case["suggested_opinion"]
        inbox = task_service.list_tasks(reviewer, TaskFilter(bpmn_id="preliminary_review"))["items"]
        assert [t["business_key"] for t in inbox] == [number]
        table = case_service.verification_table(reviewer, number)
        assert len(table["sources"]) == 14 and all(len(s["cells"]) == size for s in table["sources"])
    else:
        # the rules only suggest: the case waits for a person in 初审, with the failing rules
        assert case["status"] == "in_review" and case["step"] == "初审"
        assert case["suggested_opinion"].endswith("建议不予通过。")
        review = ready_task(number, "preliminary_review")
        assert review is not None and "系统建议不予通过" in review.instructions
        task_service.complete(reviewer, review.id, {
            "decision": "reject", "opinion": "经核实，同意系统预审意见", "reason_code": expected["reasons"][0],
            "reason_text": "经联合核查，不符合保障条件", "suggested_decision": "reject"})
        case = case_service.get_case(reviewer, number)
        assert case["status"] == "rejected"
        assert case["outcome"]["reason_code"] == expected["reasons"][0] and case["outcome"]["step"] == "初审"


def test_an_eligible_family_passes_reviews_countersign_and_publication(flow_app):
    case = submit("eligible_nuclear")
    number, district = case["application_no"], case["district"]
    street = staff("street", "street_reviewer", district)
    review_through_countersign(number, district)
    lists = publication_service.current_publications(district=district)
    [entry] = [e for p in lists for e in p["entries"] if e["application_no"] == number]
    assert entry["name"] == "刘*国" and set(entry) == {"application_no", "name", "district", "household_size",
                                                     "status"}
    filed = publication_service.file_objection({
        "application_no": number, "objector_name": "王五", "objector_id_number": "500103199001011234",
        "objector_phone": "13800000000", "content": "该户另有住房，请核查。"})
    assert filed["status"] == "received"
    complete(staff("inv", "investigator", None, "city_reviewer"), number, "investigate",
              {"decision": "dismissed", "finding_text": "经不动产登记核查，无住房，异议不成立"})
    instance_service.fire_timers_now(case["instance_id"], "test")
    case = case_service.get_case(street, number)
    assert case["status"] == "waiting" and case["outcome"]["status"] == "approved"
    with db.session() as session:
        assert session.scalar(select(WaitingListEntry.score).where(WaitingListEntry.application_no == number)) > 0
    history = case_service.review_history(street, number)
    assert [h["bpmn_id"] for h in history][:3] == ["acceptance", "preliminary_review", "district_review"]


def test_changing_one_income_line_cell_changes_a_borderline_outcome(flow_app):
    dmn = (PROCESSES / "gongzufang_eligibility.dmn").read_text(encoding="utf-8")
    edited = dmn.replace("<text>4978</text>", "<text>3500</text>", 1)
    response = deploy(flow_app.test_client(), flow_app, [("gongzufang_eligibility.dmn", edited.encode())])
    assert response.status_code == 201, response.get_json()
    case = submit("eligible_single")  # 3,800 per month: under 4,978, over 3,500
    complete(staff("street", "street_reviewer", case["district"]), case["application_no"], "acceptance",
              {"decision": "accept", "opinion": "材料齐全"})
    case = case_service.get_case(staff("street", "street_reviewer", case["district"]), case["application_no"])
    assert case["status"] == "in_review" and case["suggested_opinion"].endswith("建议不予通过。")
    review = ready_task(case["application_no"], "preliminary_review")
    assert review is not None and "系统建议不予通过" in review.instructions


def test_the_api_accepts_a_submission_through_the_task_endpoints(flow_app):
    case = submit("eligible_single")
    token = token_for(flow_app, staff("street", "street_reviewer", case["district"]))
    task = ready_task(case["application_no"], "acceptance")
    response = flow_app.test_client().post(f"/api/v1/tasks/{task.id}/complete",
                                           json={"data": {"decision": "supplement", "opinion": "缺材料"}},
                                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422  # the form requires the missing items when sending back


def test_demo_cases_are_submitted_once_per_applicant(flow_app):
    from app.services import demo_service

    created = demo_service.load_demo_cases()
    assert len(created) == len(demo_service.DEMO_CASES)
    assert demo_service.load_demo_cases() == []
    mine = case_service.list_cases_for_applicant(staff("applicant2", "applicant", None, "applicant"))
    assert [c["status"] for c in mine] == ["submitted"] and mine[0]["applicant_name"] == "赵*"
    with db.transaction() as session:  # a demo household with an open application under another account
        session.execute(update(Application).where(Application.applicant_username == "applicant2")
                        .values(applicant_username="someone_else"))
    assert demo_service.load_demo_cases() == []  # is skipped, not an error


def test_lifecycle_processes_are_not_started_through_the_process_api(flow_app):
    """Applications start through the application service; sub-processes only from their parent flows."""
    data = dict(household("multi_generation")["data"], application_no="GZF2026-777777",
                title="公租房申请 GZF2026-777777")
    city, street = (api_headers(flow_app, staff("city", "city_reviewer", None, "city_reviewer")),
                    api_headers(flow_app, staff("street_yz", "street_reviewer", "渝中区")))
    client = flow_app.test_client()
    response = client.post("/api/v1/process-instances", headers=city,
                           json={"process_key": "gongzufang_application", "data": data,
                                 "business_key": "GZF2026-777777"})
    assert response.status_code == 403 and response.get_json()["error_code"] == "start_not_permitted"
    assert response.get_json()["process_key"] == "gongzufang_application"
    form = dict(household("eligible_nuclear")["form"], district="江北区")
    case = case_service.submit_application(applicant("eligible_nuclear"), form)
    number = case["application_no"]
    for key in ("publication", "allocation", "lease", "exit", "verification", "annual_review"):
        response = client.post("/api/v1/process-instances", headers=street,
                               json={"process_key": key, "business_key": number,
                                     "data": {"application_no": number, "housing_type": "gongzufang",
                                              "district": "江北区", "applicant_name": "张三"}})
        assert response.status_code == 403, (key, response.get_json())
        assert response.get_json()["process_key"] == key and response.get_json()["required_roles"] == []
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(PublicationEntry)) == 0
    after = case_service.get_case(staff("street_jb", "street_reviewer", "江北区"), number)
    assert after["status"] == "submitted" and after["step"] == "受理"
