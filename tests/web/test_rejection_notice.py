"""The applicant's page of a refused case: the decision, its reasons and rules, and the remedies."""

from __future__ import annotations

from sqlalchemy import update

from app.db import db
from app.models import Application
from tests.web.cases import make_case

OUTCOME = {"status": "rejected", "step": "初审", "reason_code": "over_income",
           "reason_text": "经核实家庭人均月收入5,833元，超过3人户收入线4,148元",
           "rules": [{"rule": "income", "verdict": "fail", "reason_code": "over_income",
                      "reason": "家庭人均月收入超过收入线"}]}


def _refused(no: str, district: str) -> None:
    make_case(no, district=district, status="rejected")
    with db.transaction() as session:
        session.execute(update(Application).where(Application.application_no == no).values(outcome=OUTCOME))


def test_a_refusal_states_reasons_rules_and_the_district_s_remedies(web_app, as_user):
    _refused("GZF2026-000401", "渝中区")
    page = as_user("applicant").get("/portal/applications/GZF2026-000401").get_data(as_text=True)
    assert "不予通过决定" in page and "超过3人户收入线4,148元" in page and "家庭人均月收入超过收入线" in page
    assert "60日内向重庆市渝中区人民政府申请行政复议" in page
    assert "6个月内向重庆市渝中区人民法院提起行政诉讼" in page


def test_a_district_without_its_own_entry_gets_the_default_bodies(web_app, as_user):
    _refused("GZF2026-000402", "江北区")
    page = as_user("applicant").get("/portal/applications/GZF2026-000402").get_data(as_text=True)
    assert "重庆市江北区人民政府" in page and "重庆市江北区人民法院" in page


def test_a_case_in_review_shows_no_refusal(web_app, as_user):
    make_case("GZF2026-000403")
    page = as_user("applicant").get("/portal/applications/GZF2026-000403").get_data(as_text=True)
    assert "不予通过决定" not in page and "行政复议" not in page
