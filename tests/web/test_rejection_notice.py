"""The applicant's page of a refused case: the decision, its reasons and rules, and the remedies."""

from __future__ import annotations

import subprocess

from sqlalchemy import update

from app.db import db
from app.models import Application
from tests.conftest import ROOT
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


def test_the_refusal_letter_is_a_pdf_whose_chinese_and_figures_read_back(web_app, as_user):
    _refused("GZF2026-000404", "渝中区")
    applicant = as_user("applicant")
    page = applicant.get("/portal/applications/GZF2026-000404").get_data(as_text=True)
    assert "/portal/applications/GZF2026-000404/decision.pdf" in page
    response = applicant.get("/portal/applications/GZF2026-000404/decision.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    folder = ROOT / "test-artifacts" / "e2e" / "refusal_letter"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "GZF2026-000404-decision.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
    for words in ("不予通过决定书", "GZF2026-000404", "超过3人户收入线4,148元", "家庭人均月收入超过收入线",
                  "60日内向重庆市渝中区人民政府申请行政复议", "6个月内向重庆市渝中区人民法院提起行政诉讼",
                  "重庆市渝中区住房和城乡建设委员会"):
        assert words in "".join(text.split()), words
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(folder / "GZF2026-000404-decision")],
                   check=True, capture_output=True)
    assert (folder / "GZF2026-000404-decision.png").stat().st_size > 5000


def test_no_letter_for_a_case_that_was_not_refused(web_app, as_user):
    make_case("GZF2026-000405")
    response = as_user("applicant").get("/portal/applications/GZF2026-000405/decision.pdf")
    assert response.status_code == 404 and "该申请没有不予通过决定书" in response.get_data(as_text=True)
