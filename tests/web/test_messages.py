"""The applicant's 消息 list: every SMS sent to them, newest first, with an unread count in the menu."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.db import db
from app.messages import service as messages
from app.messages.models import ApplicantMessage
from tests.web.conftest import start_case


@dataclass
class _Call:
    """What job_service hands over for a stored job result."""

    id: str
    instance_id: str
    operator: str
    params: dict


def _sms(job_id: str, instance_id: str, template: str, params: dict, operator: str = "sms/send") -> None:
    with db.transaction() as session:
        messages.record_job_results(session, [(_Call(job_id, instance_id, operator,
                                                     {"phone": "13983001001", "template": template,
                                                      "params": params}), {"receipt_id": "x"})])


def test_each_sms_of_a_case_is_listed_once_newest_first_and_counted_until_read(web_app, as_user):
    case = start_case("GZF2026-000321")
    _sms("job-1", case, "SUPPLEMENT_NOTICE", {"application_no": "GZF2026-000321", "count": "1",
                                               "deadline": "2026-12-20"})
    _sms("job-1", case, "SUPPLEMENT_NOTICE", {"application_no": "GZF2026-000321", "count": "1",
                                               "deadline": "2026-12-20"})  # the job ran twice
    _sms("job-2", case, "APPLICATION_APPROVED", {"application_no": "GZF2026-000321", "position": "7"})
    _sms("job-3", case, "ANYTHING", {}, operator="tax/query")  # not an SMS
    with db.session() as session:
        assert session.scalars(select(ApplicantMessage.source_key)).all() == ["job:job-1", "job:job-2"]

    applicant = as_user("applicant")
    portal = applicant.get("/portal").get_data(as_text=True)
    assert 'data-testid="nav-count"' in portal and ">2</span>" in portal
    page = applicant.get("/portal/messages").get_data(as_text=True)
    approved = page.index("已审核通过并登记轮候，当前轮候序号 7")
    supplement = page.index("需要补正材料（第 1 次），请于 2026-12-20 前")
    assert approved < supplement  # newest first
    assert "139****1001" in page and "13983001001" not in page
    assert 'data-testid="nav-count"' not in applicant.get("/portal").get_data(as_text=True)  # read now
    assert "还没有消息" in as_user("applicant2").get("/portal/messages").get_data(as_text=True)


def test_a_signing_code_is_listed_without_the_code(web_app, as_user):
    with db.transaction() as session:
        messages.record_sms(session, username="applicant", phone="13983001001", template="LEASE_SIGN_CODE",
                            params={"code": "482913", "lease_no": "LGZF2026-000321"}, source_key="sign-code-1")
    page = as_user("applicant").get("/portal/messages").get_data(as_text=True)
    assert "LGZF2026-000321 的电子签约验证码已发送到您的手机" in page and "482913" not in page
