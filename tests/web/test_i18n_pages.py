"""Pages in English show forms, steps, service messages and publication titles in English;
the same pages in a Chinese session stay Chinese."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from app.db import db
from app.models import Application, Publication, PublicationEntry
from app.services import definition_service, instance_service
from tests.web.cases import PDF, make_case, ready_task, uploads  # noqa: F401
from tests.web.conftest import FIXTURES
from tests.web.test_case_panels import case_task  # noqa: F401

PROCESS = "web_review_real_forms"


@pytest.fixture
def review(real_forms):
    """The page-test review process on the repository's own 初审 / 复审 forms, one case started."""
    xml = (FIXTURES / "web_review.bpmn").read_text(encoding="utf-8")
    xml = (xml.replace('"web_review"', f'"{PROCESS}"')
           .replace('"review.schema.json"', '"preliminary_review.schema.json"')
           .replace('"review.uischema.json"', '"preliminary_review.uischema.json"')
           .replace('"confirm.schema.json"', '"acceptance.schema.json"'))
    definition_service.deploy([(f"{PROCESS}.bpmn", xml.encode())], "test")
    data = {"application_no": "GZF2026-000901", "applicant_name": "张三丰", "housing_type": "公租房",
            "district": "渝中区", "applicant_username": "applicant", "id_number": "110105199001011234"}
    return instance_service.start_instance(PROCESS, data, business_key="GZF2026-000901", actor="applicant").id


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_task_page_in_english_shows_the_step_form_and_buttons_in_english(review, as_user):
    task = ready_task(review)
    reviewer = as_user("street_yz")
    chinese = _page(reviewer, f"/tasks/{task.id}")
    assert '<h1 data-testid="task-name">初审</h1>' in chinese
    assert ">同意</button>" in chinese and ">不同意</button>" in chinese and "不予通过原因" in chinese
    reviewer.get("/lang/en")
    page = _page(reviewer, f"/tasks/{task.id}")
    assert '<h1 data-testid="task-name">First review</h1>' in page
    assert ">Agree</button>" in page and ">Return</button>" in page and ">Disagree</button>" in page
    assert "Reason for rejection" in page and "Income over the limit" in page and "Review opinion" in page
    assert "Sent to the applicant by SMS" in page and "Yuzhong District" in page
    assert "请核对 张三丰 的申请" in page  # an instruction without English stays readable in Chinese
    assert "不予通过原因" not in page and ">同意<" not in page and "收入超标" not in page
    assert "First review" in _page(reviewer, "/inbox?tab=groups")


def test_the_diagram_names_its_steps_in_the_session_language(review, as_user):
    task = ready_task(review)
    reviewer = as_user("street_yz")
    assert 'name="初审"' in reviewer.get(f"/tasks/{task.id}/diagram").get_json()["xml"]
    reviewer.get("/lang/en")
    shown = reviewer.get(f"/tasks/{task.id}/diagram").get_json()
    assert 'name="First review"' in shown["xml"] and 'name="Second review"' in shown["xml"]
    assert 'name="初审"' not in shown["xml"] and shown["current"] == ["street_review"]
    assert 'name="申请人确认"' in shown["xml"]  # a step without English keeps its name


def test_the_case_panels_name_sources_and_priority_groups_in_english(case_task, as_user):  # noqa: F811
    reviewer = as_user("street_yz")
    assert "<td>不动产登记</td>" in _page(reviewer, f"/tasks/{case_task.id}")
    reviewer.get("/lang/en")
    page = _page(reviewer, f"/tasks/{case_task.id}")
    assert "<td>Real estate registry</td>" in page and "Subsistence allowance household" in page
    assert "<td>不动产登记</td>" not in page and "低保家庭" not in page
    assert "配偶名下有住房" in page  # a reason without English stays as the table wrote it


def test_the_history_and_the_flash_name_the_step_in_the_session_language(review, as_user):
    task = ready_task(review)
    street = as_user("street_yz")
    street.get("/lang/en")
    response = street.post(f"/tasks/{task.id}/complete", data={"decision": "approve", "opinion": "材料齐全，同意"},
                           follow_redirects=True)
    assert "Done: First review" in response.get_data(as_text=True)
    nxt = ready_task(review)
    district = as_user("district_yz")
    assert "初审" in _page(district, f"/tasks/{nxt.id}")
    district.get("/lang/en")
    page = _page(district, f"/tasks/{nxt.id}")
    assert '<h1 data-testid="task-name">Second review</h1>' in page and " · First review" in page
    assert "初审" not in page


def test_the_apply_page_in_english_shows_the_form_in_english(real_forms, as_user):
    applicant = as_user("applicant")
    chinese = _page(applicant, "/portal/apply")
    assert "申请区县" in chinese and "家庭成员（含申请人本人）" in chinese and ">渝中区</option>" in chinese
    applicant.get("/lang/en")
    page = _page(applicant, "/portal/apply")
    assert "<h1>Application for public rental / affordable rental housing</h1>" in page
    assert "District applied to" in page and "Household members (including the applicant)" in page
    assert ">Yuzhong District</option>" in page and 'value="渝中区"' in page  # the value posted stays the same
    assert "Monthly income before tax" in page and "申请区县" not in page and ">渝中区</option>" not in page


def test_a_service_message_about_a_refused_file_reads_in_english(web_app, uploads, as_user, request):  # noqa: F811
    make_case("GZF2026-000902", status="supplement_requested", process="web_supplement",
              supplement={"count": 1, "items": ["income_proof"], "note": "", "deadline": "2026-12-17T09:00:00+08:00"})
    request.getfixturevalue("real_forms")  # deployed on the test forms, shown with the repository's
    applicant = as_user("applicant")
    applicant.get("/lang/en")
    response = applicant.post("/portal/applications/GZF2026-000902/supplement",
                              data={"doc_kind_0": "income_proof", "doc_file_0": (io.BytesIO(PDF), "证明.doc")},
                              content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please check the fields marked in red: The uploaded files did not pass the checks" in page
    assert 'data-error-for="documents">证明.doc: only PDF, JPG and PNG files are accepted</div>' in page
    assert "只接受 PDF、JPG、PNG 文件" not in page and "文件类型不允许" not in page


def test_a_publication_title_reads_in_english(real_forms, as_user):
    today = date.today()
    with db.transaction() as session:
        case = Application(application_no="GZF2026-000903", housing_type="gongzufang", district="渝中区",
                           applicant_username="applicant", applicant_name="张三丰", applicant_name_masked="张*丰",
                           applicant_id_number="500103199003071234", applicant_phone="13800001111",
                           household_type="single")
        session.add(case)
        session.flush()
        publication = Publication(batch_no="GZF20260305-渝中区", title="渝中区2026年3月5日公租房资格审核结果公示",
                                  housing_type="gongzufang", district="渝中区",
                                  starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=5))
        publication.entries.append(PublicationEntry(application_id=case.id, application_no="GZF2026-000903",
                                                    masked_name="张*丰", district="渝中区", housing_type="gongzufang",
                                                    household_size=2))
        session.add(publication)
    visitor = as_user()
    assert "<h2>渝中区2026年3月5日公租房资格审核结果公示</h2>" in _page(visitor, "/publicity")
    visitor.get("/lang/en")
    page = _page(visitor, "/publicity")
    assert "<h2>Public rental housing: eligibility results for Yuzhong District, published 2026-03-05</h2>" in page
    assert "<td>Yuzhong District</td>" in page and "资格审核结果公示" not in page
