"""The task page's case panels, read the way docs/case-data.md describes the case."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.db import db
from app.models import Application, HouseholdMember, HumanTask, TaskCandidate, VerificationResult
from app.services import instance_service

APPLICANT_ID, SPOUSE_ID = "500103199003071234", "500103199205082345"


@pytest.fixture
def case_task(web_app):
    """A review task whose business key is an application with household and findings."""
    no = "GZF2026-000042"
    with db.transaction() as session:
        case = Application(application_no=no, housing_type="gongzufang", district="渝中区",
                           applicant_username="applicant", applicant_name="刘建国", applicant_name_masked="刘*国",
                           applicant_id_number=APPLICANT_ID, applicant_phone="13800002222", household_type="nuclear",
                           household_size=2, suggested_opinion="经核查，家庭人均收入低于标准，建议通过。")
        case.members = [HouseholdMember(position=0, name="刘建国", id_number=APPLICANT_ID, relation="applicant"),
                        HouseholdMember(position=1, name="王芳", id_number=SPOUSE_ID, relation="spouse")]
        session.add(case)
        session.flush()
        for member, verdict in ((case.members[0], "pass"), (case.members[1], "fail")):
            session.add(VerificationResult(
                application_id=case.id, source="real_estate", source_name="不动产登记", id_number=member.id_number,
                member_name=member.name, relation=member.relation, found=verdict == "fail", verdict=verdict,
                summary="名下无房产" if verdict == "pass" else "名下住房一套 89㎡",
                evidence=[{"certno": member.id_number, "houses": [] if verdict == "pass" else [{"area": 89}]}]))
    data = {"application_no": no, "applicant_name": "刘建国", "housing_type": "公租房", "district": "渝中区",
            "applicant_username": "applicant",
            "eligibility": {"eligible": False, "rules": [
                {"rule": "收入", "verdict": "pass", "reason": "人均月收入 3033 元，低于 4148 元"},
                {"rule": "住房", "verdict": "fail", "reason": "配偶名下有住房"}], "priority_labels": ["低保家庭"]},
            "countersign_signatures": {"minzheng": {"decision": "approve", "opinion": "民政核对无异常"}}}
    instance = instance_service.start_instance("web_review", data, business_key=no, actor="applicant")
    with db.session() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    yield task
    with db.transaction() as session:
        for model in (VerificationResult, HouseholdMember, Application):
            session.execute(delete(model))


def test_the_reviewer_sees_household_findings_rules_signatures_and_the_suggestion(case_task, as_user):
    page = as_user("street_yz").get(f"/tasks/{case_task.id}").get_data(as_text=True)
    assert "刘建国" in page and "王芳" in page
    assert "500103********1234" in page and APPLICANT_ID not in page and SPOUSE_ID not in page
    assert "不动产登记" in page and "名下住房一套 89㎡" in page and 'class="badge fail"' in page
    assert "配偶名下有住房" in page and "低保家庭" in page
    assert "民政核对无异常" in page
    assert "经核查，家庭人均收入低于标准，建议通过。</textarea>" in page  # the suggested opinion, editable
    assert 'data-testid="case-data"' not in page  # the structured panels replace the raw data


def test_raw_evidence_on_demand_is_masked_and_whole_ids_are_audited(case_task, as_user):
    street = as_user("street_yz")
    evidence = street.get(f"/tasks/{case_task.id}/evidence/real_estate").get_data(as_text=True)
    assert "500103********2345" in evidence and SPOUSE_ID not in evidence and "89" in evidence
    assert as_user("applicant").get(f"/tasks/{case_task.id}/evidence/real_estate").status_code in (403, 404)
    with db.transaction() as session:  # let the district reviewer see this street-level task too
        session.add(TaskCandidate(task_id=case_task.id, group_name="district_reviewer"))
    full = as_user("district_yz").post(f"/tasks/{case_task.id}/full-ids").get_data(as_text=True)
    assert APPLICANT_ID in full and SPOUSE_ID in full
