"""An application may not borrow a stored file; a refused one keeps none of its uploads; lists
of applications are masked like a single case."""

from __future__ import annotations

import copy

from app.db import db
from app.models import Application
from app.services import case_service, document_service
from handlers.household_facts import derive_facts
from handlers.opinion import suggest
from tests.processes.applying import api_headers
from tests.processes.conftest import flow_app, household, sandbox, staff  # noqa: F401  (fixtures)

FORM = household("eligible_single")["form"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _stored_files() -> list[str]:
    folder = document_service.upload_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_document_naming_a_stored_file_is_refused(flow_app):  # noqa: F811
    with flow_app.app_context():
        someone_elses = document_service.store("id_card", "身份证.pdf", PDF)["file_id"]
    form = copy.deepcopy(FORM)
    form["documents"] = [{"kind": "id_card", "name": "身份证.pdf", "file_id": someone_elses}]
    response = flow_app.test_client().post("/api/v1/applications", json=form,
                                           headers=api_headers(flow_app, staff("li", "applicant", None, "applicant")))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"documents.0.file_id"}
    with db.session() as session:
        assert session.query(Application).count() == 0


def test_a_refused_application_keeps_none_of_its_uploads(flow_app):  # noqa: F811
    form = copy.deepcopy(FORM)
    form["district"] = "火星区"  # not a district: the form is refused after the files were checked
    applicant = staff("li", "applicant", None, "applicant")
    with flow_app.app_context():
        before = _stored_files()
        uploads = [document_service.Upload("income_proof", "收入证明.pdf", PDF)]
        try:
            case_service.submit_application(applicant, form, uploads=uploads)
        except case_service.ValidationFailed as exc:
            assert "district" in exc.errors
        else:
            raise AssertionError("the form should have been refused")
        assert _stored_files() == before
        kept = case_service.submit_application(applicant, copy.deepcopy(FORM), uploads=uploads)
        assert [d["kind"] for d in kept["declared"]["documents"]][-1] == "income_proof"
        assert len(_stored_files()) == len(before) + 1


def test_the_applicant_is_found_by_relation_wherever_the_household_lists_them():
    members = [{"id_number": "500103195001010011", "name": "陈父", "relation": "parent"},
               {"id_number": "500103199405120136", "name": "陈晓东", "relation": "applicant"}]
    facts = derive_facts({"type": "multi_generation", "members": members}, {})
    assert facts["applicant_age"] < 60 and not facts["elderly"]
    findings = {"facts": facts, "members": members, "counts": {"unavailable": 0}, "fail_findings": [], "table": {}}
    text = suggest("gongzufang", {"type": "multi_generation", "members": members}, findings,
                   {"standards": {}, "rules": [], "priority_labels": []}, {})["text"]
    assert text.startswith("经核查，申请人陈晓东家庭")


def test_application_lists_are_masked_like_a_single_case(flow_app):  # noqa: F811
    applicant = staff("zhang", "applicant", None, "applicant")
    with flow_app.app_context():
        number = case_service.submit_application(applicant, copy.deepcopy(FORM))["application_no"]
    with db.transaction() as session:
        case = session.query(Application).filter_by(application_no=number).one()
        case.outcome = {"status": "rejected", "reason_text": "会签不同意：500103199405120136 名下有房"}
    for who in (applicant, staff("street", "street_reviewer", "渝中区")):
        listed = flow_app.test_client().get("/api/v1/applications", headers=api_headers(flow_app, who))
        items = listed.get_json()["items"]
        reason = next(i for i in items if i["application_no"] == number)["outcome"]["reason_text"]
        assert "500103199405120136" not in reason and "名下有房" in reason
