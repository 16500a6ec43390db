"""The applicant's forms: household members added and removed, the 补正 answered with real uploads,
an oversized submission explained, the case history showing what the applicant sent."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.db import db
from app.models import AuditEvent
from app.services import document_service, instance_service
from tests.web.cases import PDF, audit_count, make_case, ready_task, uploads  # noqa: F401

MEMBERS = "household.members"
NOTICE = {"count": 1, "items": ["income_proof", "marriage_certificate"], "note": "收入证明需加盖单位公章",
          "deadline": "2026-12-17T09:00:00+08:00"}


@pytest.fixture
def waiting(web_app, uploads, request):  # noqa: F811
    """A case of ``applicant`` waiting for its 补正 (its instance waits for the message).

    Deployed with the test forms, then the pages read the repository's own forms.
    """
    instance_id = make_case("GZF2026-000201", status="supplement_requested", supplement=NOTICE,
                            process="web_supplement")
    request.getfixturevalue("real_forms")
    return {"no": "GZF2026-000201", "instance_id": instance_id, "uploads": uploads}


def _rows(page: str) -> set[int]:
    return {int(i) for i in re.findall(rf'name="{re.escape(MEMBERS)}\.(\d+)\.name"', page)}


def test_a_fresh_apply_page_offers_to_add_members_with_a_local_script(real_forms, as_user):
    page = as_user("applicant").get("/portal/apply").get_data(as_text=True)
    assert _rows(page) == {0}
    assert f'data-rows="{MEMBERS}"' in page and "添加成员" in page and f'value="add:{MEMBERS}"' in page
    assert f'value="remove:{MEMBERS}.0"' in page
    assert "/static/web/js/form_rows.js" in page and "<script>" not in page  # no inline script
    assert as_user("applicant").get("/static/web/js/form_rows.js").status_code == 200


def test_without_the_script_the_add_button_redraws_the_form_keeping_what_was_typed(real_forms, as_user):
    applicant = as_user("applicant")
    form = {"applicant.name": "张三丰", f"{MEMBERS}.0.name": "张三丰", f"{MEMBERS}.0.relation": "applicant",
            f"{MEMBERS}.0.id_number": "110105199001011234", "_rows": f"add:{MEMBERS}"}
    response = applicant.post("/portal/apply", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _rows(page) == {0, 1}
    assert 'value="110105199001011234"' in page and 'data-error-for' not in page  # redrawn, not validated
    form.update({f"{MEMBERS}.1.name": "李梅", f"{MEMBERS}.1.relation": "spouse"})
    page = applicant.post("/portal/apply", data=form).get_data(as_text=True)
    assert _rows(page) == {0, 1, 2} and 'value="李梅"' in page
    form["_rows"] = f"remove:{MEMBERS}.0"
    page = applicant.post("/portal/apply", data=form).get_data(as_text=True)
    assert 'value="李梅"' in page and 'value="110105199001011234"' not in page


def test_every_member_row_reaches_the_server_whatever_its_index(real_forms, as_user):
    form = {"housing_type": "gongzufang", "district": "渝中区", "household.type": "nuclear"}
    for index, name in ((0, "张三丰"), (3, "李梅"), (8, "张小宝"), (9, "张小贝")):
        form[f"{MEMBERS}.{index}.name"] = name
        form[f"{MEMBERS}.{index}.relation"] = "child"
        form[f"{MEMBERS}.{index}.id_number"] = "11010519900101123"  # one digit short: refused
    response = as_user("applicant").post("/portal/apply", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _rows(page) == {0, 1, 2, 3}  # four members, renumbered, and no blank row added to them
    for name in ("张三丰", "李梅", "张小宝", "张小贝"):
        assert f'value="{name}"' in page


@pytest.mark.parametrize("crafted", [
    {"_rows": f"add:{MEMBERS}.0.name"},
    {f"{MEMBERS}.{'9' * 5000}.name": "王五"},
], ids=["add-inside-a-row", "huge-index"])
def test_crafted_fields_get_the_form_back_not_a_server_error(real_forms, as_user, crafted):
    form = {f"{MEMBERS}.0.name": "张三丰", f"{MEMBERS}.0.relation": "applicant", **crafted}
    response = as_user("applicant").post("/portal/apply", data=form)
    assert response.status_code in (200, 422) and 'value="张三丰"' in response.get_data(as_text=True)


def test_the_supplement_page_lists_the_missing_items_and_takes_real_files(waiting, as_user):
    page = as_user("applicant").get(f"/portal/applications/{waiting['no']}/supplement").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert "<li>收入证明</li>" in page and "<li>婚姻状况证明</li>" in page and "收入证明需加盖单位公章" in page
    assert "2026-12-17" in page and "第 1 次补正" in page
    # the slots start with the kinds the notice asks for
    assert re.search(r'name="doc_kind_0">.*?<option value="income_proof" selected>', page, re.S)
    assert re.search(r'name="doc_kind_1">.*?<option value="marriage_certificate" selected>', page, re.S)
    assert "文件编号" not in page and "file_id" not in page and '"items"' not in page and "income_proof</" not in page
    overview = as_user("applicant").get(f"/portal/applications/{waiting['no']}").get_data(as_text=True)
    assert "<li>收入证明</li>" in overview and "{" not in overview.split('data-testid="supplement-notice"')[1][:400]


def test_a_submitted_supplement_stores_the_file_resumes_the_case_and_shows_in_the_history(waiting, as_user):
    response = as_user("applicant").post(
        f"/portal/applications/{waiting['no']}/supplement",
        data={"doc_kind_0": "income_proof", "doc_file_0": (io.BytesIO(PDF), "收入证明.pdf"), "note": "已补交"},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    sent = instance_service.get_instance(waiting["instance_id"])["data"]["supplement"]  # the answer itself
    assert [d["kind"] for d in sent["documents"]] == ["income_proof"] and sent["note"] == "已补交"
    assert document_service.path_of(sent["documents"][0]["file_id"]).read_bytes() == PDF
    task = ready_task(waiting["instance_id"])
    assert task is not None and task.name == "受理"
    history = as_user("street_yz").get(f"/tasks/{task.id}").get_data(as_text=True)
    entries = history.split('data-testid="history"')[1]
    assert "申请人提交补正材料" in entries and "supplement_submitted" not in entries
    timeline = as_user("applicant").get(f"/portal/cases/{waiting['instance_id']}").get_data(as_text=True)
    assert "申请人提交补正材料" in timeline


EVERY_KIND = ["id_card", "hukou_book", "marriage_certificate", "income_proof", "housing_statement",
              "residence_permit", "labour_contract", "social_insurance_record", "disability_certificate",
              "dibao_certificate", "youfu_certificate", "other"]


def test_twelve_items_asked_for_get_a_slot_each_and_every_slot_is_read(uploads, as_user, request):  # noqa: F811
    instance_id = make_case("GZF2026-000202", status="supplement_requested", process="web_supplement",
                            supplement={**NOTICE, "items": EVERY_KIND})
    request.getfixturevalue("real_forms")  # after deploying, which wants the test forms
    url = "/portal/applications/GZF2026-000202/supplement"
    page = as_user("applicant").get(url).get_data(as_text=True)
    assert set(re.findall(r'name="doc_file_(\d+)"', page)) == {str(i) for i in range(12)}
    selects = re.findall(r'name="doc_kind_(\d+)">(.*?)</select>', page, re.S)
    preset = {int(i): re.findall(r'<option value="(\w+)" selected>', options) for i, options in selects}
    assert preset == {i: [kind] for i, kind in enumerate(EVERY_KIND)}
    assert "每个不超过 10 MB，一次合计不超过 32 MB" in page  # still what the server enforces
    files = {f"doc_kind_{i}": kind for i, kind in enumerate(EVERY_KIND)}
    files.update({"doc_file_0": (io.BytesIO(PDF), "身份证.pdf"), "doc_file_11": (io.BytesIO(PDF), "情况说明.pdf")})
    response = as_user("applicant").post(url, data=files, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    sent = instance_service.get_instance(instance_id)["data"]["supplement"]
    assert [(d["kind"], d["name"]) for d in sent["documents"]] == [("id_card", "身份证.pdf"), ("other", "情况说明.pdf")]


def test_a_short_notice_keeps_the_usual_slots_and_a_slot_beyond_the_page_is_not_read(waiting, as_user):
    url = f"/portal/applications/{waiting['no']}/supplement"
    page = as_user("applicant").get(url).get_data(as_text=True)
    assert len(re.findall(r'name="doc_file_\d+"', page)) == 4
    beyond = as_user("applicant").post(url, data={"doc_kind_4": "income_proof",
                                                  "doc_file_4": (io.BytesIO(PDF), "收入证明.pdf")},
                                       content_type="multipart/form-data")
    assert beyond.status_code == 422 and audit_count(waiting["instance_id"], "message.received") == 0


@pytest.mark.parametrize(("upload", "message"), [
    ((b"MZ\x90\x00" + b"\x00" * 64, "收入证明.pdf"), "文件内容与扩展名不符"),
    ((b"", "空.pdf"), "文件为空"),
    ((PDF, "收入证明.doc"), "只接受 PDF、JPG、PNG 文件"),
    (None, "documents"),
])
def test_a_bad_or_missing_file_leaves_the_case_waiting(waiting, as_user, upload, message):
    data = {"doc_kind_0": "income_proof"}
    if upload is not None:
        data["doc_file_0"] = (io.BytesIO(upload[0]), upload[1])
    response = as_user("applicant").post(f"/portal/applications/{waiting['no']}/supplement", data=data,
                                         content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and 'data-error-for="documents"' in page
    assert audit_count(waiting["instance_id"], "message.received") == 0
    assert not waiting["uploads"].exists() or not any(waiting["uploads"].iterdir())


def test_an_oversized_submission_gets_a_readable_page_not_a_bare_413(waiting, web_app, as_user):
    applicant = as_user("applicant")
    before = web_app.config["MAX_CONTENT_LENGTH"]
    web_app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        for url in ("/portal/apply", f"/portal/applications/{waiting['no']}/supplement"):
            response = applicant.post(url, data={"doc_kind_0": "id_card",
                                                 "doc_file_0": (io.BytesIO(PDF + b"\x00" * 1_100_000), "大.pdf")},
                                      content_type="multipart/form-data")
            page = response.get_data(as_text=True)
            assert response.status_code == 413 and "文件太大" in page
            assert "上传的文件合计超过 1 MB" in page and "每个文件不超过 10 MB" in page
    finally:
        web_app.config["MAX_CONTENT_LENGTH"] = before
    with db.session() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "message.received")) is None


def test_the_upload_hint_states_both_limits(real_forms, as_user):
    page = as_user("applicant").get("/portal/apply").get_data(as_text=True)
    assert "每个不超过 10 MB，一次合计不超过 32 MB" in page


def test_the_supplement_page_reads_in_english_too(waiting, as_user):
    applicant = as_user("applicant")
    applicant.get("/lang/en")
    page = applicant.get(f"/portal/applications/{waiting['no']}/supplement").get_data(as_text=True)
    assert "<li>Proof of income</li>" in page and "<li>Marital status certificate</li>" in page
    assert "supplement no. 1" in page and "Add a member" in page and "收入证明</li>" not in page


def test_a_second_open_application_gets_a_readable_refusal_and_keeps_what_was_typed(real_forms, as_user):
    from app.models import Application, HouseholdClaim
    from connectors.base.identity import check_digit

    ID_NUMBER = "11010519900101123" + check_digit("11010519900101123")
    make_case("GZF2026-000042")  # an open case of the same person (another account's, say)
    with db.transaction() as session:
        case = session.scalar(select(Application).where(Application.application_no == "GZF2026-000042"))
        session.add(HouseholdClaim(housing_type="gongzufang", id_number=ID_NUMBER, application_id=case.id,
                                   application_no=case.application_no))
    form = {"housing_type": "gongzufang", "district": "渝中区", "applicant.name": "张三丰",
            "applicant.id_number": ID_NUMBER, "applicant.phone": "13800001111", "applicant.address": "解放碑民族路1号",
            "household.type": "single", f"{MEMBERS}.0.name": "张三丰", f"{MEMBERS}.0.id_number": ID_NUMBER,
            f"{MEMBERS}.0.relation": "applicant", f"{MEMBERS}.0.monthly_income": "2000", "authorization": "true"}
    response = as_user("applicant2").post("/portal/apply", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page[:2000]
    assert "已在公租房申请 GZF2026-****42 中，该申请尚未办结" in page and f"110105********{ID_NUMBER[-4:]}" in page
    assert "GZF2026-000042" not in page
    assert 'value="解放碑民族路1号"' in page and 'value="张三丰"' in page  # nothing typed is lost
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 1
