"""submit_application for an applicant account: staff file it, the applicant owns it, the number starts once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import db
from app.models import AuditEvent, ProcessInstance
from app.services import case_service, portal_service
from app.services.errors import Forbidden
from tests.processes.applying import api_headers
from tests.processes.conftest import flow_app, household, sandbox, staff  # noqa: F401  (fixtures)

FORM = household("eligible_single")["form"]  # 渝中区 公租房
WANG = staff("wang", "applicant", None, "applicant")
OFFICER = staff("officer", "city_reviewer", None, "city_reviewer")


def _instances(number: str) -> list[ProcessInstance]:
    with db.session() as session:
        return list(session.scalars(select(ProcessInstance).where(ProcessInstance.business_key == number)))


def _started() -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(ProcessInstance))


def test_staff_file_for_an_applicant_who_then_owns_the_case(flow_app):  # noqa: F811
    case = case_service.submit_application(OFFICER, FORM, applicant_username="wang")
    number = case["application_no"]
    assert case["applicant"]["username"] == "wang" and case["status"] == "submitted"
    [instance] = _instances(number)
    assert instance.started_by == "officer" and instance.summary["applicant_username"] == "wang"
    with db.session() as session:
        actors = session.scalars(select(AuditEvent.actor).where(AuditEvent.instance_id == instance.id,
                                                                AuditEvent.action == "instance.started")).all()
    assert actors == ["officer"]
    # the applicant finds it in the portal and over the API; another applicant does not
    assert [c["business_key"] for c in portal_service.my_cases(WANG)] == [number]
    client = flow_app.test_client()
    assert client.get(f"/api/v1/applications/{number}", headers=api_headers(flow_app, WANG)).status_code == 200
    li = staff("li", "applicant", None, "applicant")
    assert portal_service.my_cases(li) == []
    assert client.get(f"/api/v1/applications/{number}", headers=api_headers(flow_app, li)).status_code == 404


def test_own_applications_name_their_submitter_as_the_applicant(flow_app):  # noqa: F811
    number = case_service.submit_application(WANG, FORM)["application_no"]
    [instance] = _instances(number)
    assert instance.started_by == "wang" and instance.summary["applicant_username"] == "wang"


def test_only_staff_of_the_applications_district_file_for_someone_else(flow_app):  # noqa: F811
    with pytest.raises(Forbidden):
        case_service.submit_application(staff("li", "applicant", None, "applicant"), FORM, applicant_username="wang")
    with pytest.raises(Forbidden):
        case_service.submit_application(staff("street_jb", "street_reviewer", "江北区"), FORM,
                                        applicant_username="wang")
    assert _started() == 0
    yuzhong = staff("street_yz", "street_reviewer", "渝中区")
    assert case_service.submit_application(yuzhong, FORM, applicant_username="wang")["district"] == "渝中区"


def test_a_reserved_number_starts_one_case_only(flow_app):  # noqa: F811
    number = case_service.next_application_no("gongzufang", 2026)
    assert case_service.submit_application(OFFICER, FORM, "wang", number)["application_no"] == number
    with pytest.raises(case_service.CaseAlreadyStarted):
        case_service.submit_application(OFFICER, FORM, "wang", number)
    assert len(_instances(number)) == 1 and _started() == 1
