"""POST /api/v1/applications/{no}/supplement: an applicant sent back for missing items answers over the API."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
from sqlalchemy import update

from app.db import db
from app.models import Application
from tests.processes.applying import api_headers, apply_over_api
from tests.processes.conftest import complete, flow_app, household, ready_task, sandbox, staff  # noqa: F401

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 512
OWNER = staff("chen", "applicant", None, "applicant")


@pytest.fixture
def sent_back(flow_app, tmp_path):  # noqa: F811
    """A 公租房 case of ``chen`` without its income proof, sent back at 受理 for it; uploads kept in tmp_path."""
    flow_app.instance_path = str(tmp_path)
    form = copy.deepcopy(household("eligible_single")["form"])
    form["documents"] = [d for d in form["documents"] if d["kind"] != "income_proof"]
    number = apply_over_api(flow_app, OWNER, form)["application_no"]
    first = ready_task(number, "acceptance")
    complete(staff("street", "street_reviewer", form["district"]), number, "acceptance",
             {"decision": "supplement", "opinion": "缺收入证明", "missing_items": ["income_proof", "other"],
              "supplement_note": "请补交收入证明和情况说明"})
    case = _get(flow_app, number)
    assert case["status"] == "supplement_requested" and case["supplement"]["items"] == ["income_proof", "other"]
    return {"app": flow_app, "no": number, "uploads": tmp_path / "uploads", "first_acceptance": first.id}


def _get(app, number: str, who=OWNER) -> dict:
    return app.test_client().get(f"/api/v1/applications/{number}", headers=api_headers(app, who)).get_json()


def _answer(case: dict, who=OWNER, files: list[tuple[str, bytes, str]] | None = None, **fields):
    """POST a multipart answer: ``files`` as (kind, content, filename), ``fields`` as form fields."""
    data: dict = dict(fields)
    for i, (kind, content, name) in enumerate(files or []):
        data[f"documents.{i}.kind"] = kind
        data[f"documents.{i}.file"] = (io.BytesIO(content), name)
    return case["app"].test_client().post(f"/api/v1/applications/{case['no']}/supplement", data=data,
                                          headers=api_headers(case["app"], who), content_type="multipart/form-data")


def _stored(uploads: Path) -> list[str]:
    return sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []


def test_the_applicant_answers_with_files_and_the_case_returns_to_acceptance(sent_back):
    response = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf"), ("other", PNG, "情况说明.png")],
                       note="已补交")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "submitted" and response.get_json()["step"] == "受理"

    case = _get(sent_back["app"], sent_back["no"])
    assert case["status"] == "submitted" and case["step"] == "受理" and case["supplement"] == {}
    documents = case["declared"]["documents"]
    assert [d["kind"] for d in documents] == ["id_card", "hukou_book", "housing_statement", "income_proof", "other"]
    assert [d["name"] for d in documents[-2:]] == ["收入证明.pdf", "情况说明.png"]
    assert sorted(d["file_id"] for d in documents[-2:]) == _stored(sent_back["uploads"])
    assert (sent_back["uploads"] / documents[-2]["file_id"]).read_bytes() == PDF
    reopened = ready_task(sent_back["no"], "acceptance")
    assert reopened is not None and reopened.id != sent_back["first_acceptance"]


def test_someone_elses_application_is_not_found_and_keeps_nothing(sent_back):
    other = staff("li", "applicant", None, "applicant")
    response = _answer(sent_back, who=other, files=[("income_proof", PDF, "收入证明.pdf")])
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["error_code"] == "case_not_found"
    assert _stored(sent_back["uploads"]) == []
    assert _get(sent_back["app"], sent_back["no"])["status"] == "supplement_requested"
    reviewer = _answer(sent_back, who=staff("street", "street_reviewer", "渝中区"),
                       files=[("income_proof", PDF, "收入证明.pdf")])
    assert reviewer.status_code == 403 and _stored(sent_back["uploads"]) == []


def test_a_second_answer_is_a_conflict_and_keeps_nothing(sent_back):
    assert _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")]).status_code == 200
    kept = _stored(sent_back["uploads"])
    again = _answer(sent_back, files=[("income_proof", PDF, "收入证明2.pdf")])
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.get_json()["error_code"] == "conflict"
    assert _stored(sent_back["uploads"]) == kept and len(kept) == 1
    assert len(_get(sent_back["app"], sent_back["no"])["declared"]["documents"]) == 4


def test_an_answer_that_loses_the_race_to_another_is_a_conflict_and_its_files_are_removed(sent_back):
    assert _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")]).status_code == 200
    kept = _stored(sent_back["uploads"])
    # what a second request sees if it read the case before the first answer was recorded
    with db.transaction() as session:
        session.execute(update(Application).where(Application.application_no == sent_back["no"])
                        .values(status="supplement_requested"))
    late = _answer(sent_back, files=[("income_proof", PDF, "收入证明2.pdf")])
    assert late.status_code == 409 and late.get_json()["error_code"] == "conflict"
    assert _stored(sent_back["uploads"]) == kept


def test_a_bad_file_is_refused_with_each_files_error_and_nothing_is_stored(sent_back):
    response = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf"),
                                         ("other", b"MZ\x90\x00" + b"\x00" * 64, "说明.pdf"),
                                         ("other", PDF, "说明.docx"), ("other", b"", "空.png")])
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert set(errors) == {"documents.1.file", "documents.2.file", "documents.3.file"}
    assert "文件内容与扩展名不符" in errors["documents.1.file"][0] and "说明.pdf" in errors["documents.1.file"][0]
    assert "只接受" in errors["documents.2.file"][0] and "文件为空" in errors["documents.3.file"][0]
    assert _stored(sent_back["uploads"]) == []
    assert _get(sent_back["app"], sent_back["no"])["status"] == "supplement_requested"


def _post_fields(case: dict, data: dict, **fields):
    """POST ``data`` and ``fields`` as multipart form fields and files, named by the test itself."""
    return case["app"].test_client().post(f"/api/v1/applications/{case['no']}/supplement", data={**data, **fields},
                                          headers=api_headers(case["app"], OWNER), content_type="multipart/form-data")


def test_a_bad_files_error_names_the_field_it_was_sent_in(sent_back):
    response = _post_fields(sent_back, {
        "documents.0.kind": "income_proof", "documents.0.file": (io.BytesIO(PDF), "收入证明.pdf"),
        "documents.2.kind": "other", "documents.2.file": (io.BytesIO(PDF), "说明.docx"),
        "documents.10.kind": "other", "documents.10.file": (io.BytesIO(b""), "空.png")})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"documents.2.file", "documents.10.file"}
    assert "只接受" in errors["documents.2.file"][0] and "文件为空" in errors["documents.10.file"][0]
    assert _stored(sent_back["uploads"]) == []


def test_the_forms_objections_to_a_files_entry_name_the_fields_it_was_sent_in(sent_back):
    response = _post_fields(sent_back, {
        "documents.0.kind": "income_proof", "documents.0.file": (io.BytesIO(PDF), "收入证明.pdf"),
        "documents.2.kind": "passport", "documents.2.file": (io.BytesIO(PDF), "护照.pdf"),
        "documents.5.kind": "housing", "documents.5.file": (io.BytesIO(PDF), "住房.pdf")}, note="长" * 501)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"documents.2.kind", "documents.5.kind", "note"}
    assert _stored(sent_back["uploads"]) == []


def test_a_file_field_with_an_index_of_thousands_of_digits_is_refused_by_name(sent_back):
    huge = f"documents.{'9' * 5000}.file"
    response = _post_fields(sent_back, {huge: (io.BytesIO(PDF), "收入证明.pdf")})
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {huge}
    assert _get(sent_back["app"], sent_back["no"])["status"] == "supplement_requested"


def test_files_of_an_answer_the_form_refuses_are_removed_again(sent_back):
    response = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf"), ("passport", PDF, "护照.pdf")],
                       note="长" * 501)
    assert response.status_code == 422
    assert {"documents.1.kind", "note"} <= set(response.get_json()["errors"])
    assert _stored(sent_back["uploads"]) == []
    none_sent = _answer(sent_back, note="忘了附件")
    assert none_sent.status_code == 422 and "documents" in none_sent.get_json()["errors"]
    stray = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")],
                    attachment=(io.BytesIO(PDF), "收入证明.pdf"))
    assert stray.status_code == 422 and set(stray.get_json()["errors"]) == {"attachment"}
    assert _stored(sent_back["uploads"]) == []
    assert _get(sent_back["app"], sent_back["no"])["status"] == "supplement_requested"


def test_a_written_explanation_is_answered_as_json_but_a_proof_needs_its_file(sent_back):
    app, url = sent_back["app"], f"/api/v1/applications/{sent_back['no']}/supplement"
    headers = api_headers(app, OWNER)
    borrowed = app.test_client().post(url, headers=headers, json={
        "documents": [{"kind": "income_proof", "name": "收入证明.pdf", "file_id": "0" * 32 + ".pdf"}]})
    assert borrowed.status_code == 422 and set(borrowed.get_json()["errors"]) == {"documents.0.file_id"}
    assert _get(app, sent_back["no"])["status"] == "supplement_requested"

    # a proof named without its file would count as provided: only a written explanation needs none
    named_only = app.test_client().post(url, headers=headers, json={
        "documents": [{"kind": "other", "name": "情况说明"}, {"kind": "income_proof", "name": "收入证明.pdf"}]})
    assert named_only.status_code == 422 and named_only.mimetype == "application/problem+json"
    body = named_only.get_json()
    assert "须附文件" in body["detail"] and set(body["errors"]) == {"documents.1.file"}
    assert "multipart/form-data" in body["errors"]["documents.1.file"][0]
    assert _get(app, sent_back["no"])["status"] == "supplement_requested"

    response = app.test_client().post(url, headers=headers, json={
        "documents": [{"kind": "other", "name": "无固定收入声明"}], "note": "本人无固定工作单位"})
    assert response.status_code == 200, response.get_json()
    case = _get(app, sent_back["no"])
    assert case["status"] == "submitted" and case["declared"]["documents"][-1] == {
        "kind": "other", "name": "无固定收入声明"}


def _members(*rows: tuple[str, str, str, str]) -> dict:
    """Form fields of a corrected household: (name, ID number, relation, monthly income) per member."""
    fields = {}
    for i, row in enumerate(rows):
        fields.update(dict(zip((f"members.{i}.{k}" for k in ("name", "id_number", "relation", "monthly_income")),
                               row, strict=True)))
    return fields


APPLICANT_ROW = ("陈晓东", "500103199405120136", "applicant", "3800")


def test_a_corrected_household_travels_as_form_fields_with_the_files(sent_back):
    response = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")],
                       **_members(APPLICANT_ROW, ("陈小雨", "500103201801010027", "child", "0")))
    assert response.status_code == 200, response.get_json()
    household = response.get_json()["household"]
    assert [(m["name"], m["relation"], m["monthly_income"]) for m in household["members"]] == [
        ("陈晓东", "applicant", 3800), ("陈小雨", "child", 0)]
    assert household["size"] == 2


def test_a_corrected_household_is_checked_like_an_application(sent_back):
    wrong_digit = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")],
                          **_members(APPLICANT_ROW, ("陈小雨", "500103201801010028", "child", "0")))
    assert wrong_digit.status_code == 422 and set(wrong_digit.get_json()["errors"]) == {"members.1.id_number"}
    twice = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")], **_members(APPLICANT_ROW, APPLICANT_ROW))
    assert twice.status_code == 422 and set(twice.get_json()["errors"]) == {"members"}
    no_applicant = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")],
                           **_members(("陈小雨", "500103201801010027", "child", "0")))
    assert no_applicant.status_code == 422 and "申请人本人" in no_applicant.get_json()["errors"]["members"][0]
    assert _stored(sent_back["uploads"]) == []
    case = _get(sent_back["app"], sent_back["no"])
    assert case["status"] == "supplement_requested" and case["household"]["size"] == 1


def test_a_request_over_the_size_limit_is_a_problem_and_keeps_nothing(sent_back):
    app = sent_back["app"]
    before, app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"], 64 * 1024
    try:
        response = _answer(sent_back, files=[("income_proof", PDF + b"\0" * 100_000, "收入证明.pdf")])
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert _stored(sent_back["uploads"]) == []
    assert _get(app, sent_back["no"])["status"] == "supplement_requested"


def test_a_corrected_household_may_not_take_in_someone_of_another_open_application(sent_back):
    from sqlalchemy import select

    from app.models import HouseholdClaim
    from app.services import case_service

    other = case_service.submit_application(staff("liu", "applicant", None, "applicant"),
                                            household("eligible_nuclear")["form"])
    taken = household("eligible_nuclear")["form"]["household"]["members"][1]
    refused = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")],
                      **_members(APPLICANT_ROW, (taken["name"], taken["id_number"], "spouse", "0")))
    assert refused.status_code == 409 and refused.get_json()["error_code"] == "duplicate_application"
    assert refused.get_json()["existing_application"] == other["application_no"][:8] + "****" + \
        other["application_no"][-2:]
    assert _stored(sent_back["uploads"]) == []
    assert _get(sent_back["app"], sent_back["no"])["status"] == "supplement_requested"
    accepted = _answer(sent_back, files=[("income_proof", PDF, "收入证明.pdf")],
                       **_members(APPLICANT_ROW, ("陈小雨", "500103201801010027", "child", "0")))
    assert accepted.status_code == 200, accepted.get_json()
    with db.session() as session:  # the corrected household holds its numbers now
        held = set(session.scalars(select(HouseholdClaim.id_number)
                                   .where(HouseholdClaim.application_no == sent_back["no"])))
    assert held == {"500103199405120136", "500103201801010027"}
