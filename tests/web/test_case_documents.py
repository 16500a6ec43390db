"""A case's documents: listed for the applicant and the reviewer, downloaded only by those who may
see the case (staff downloads audited); whole ID numbers for every role the button is shown to."""

from __future__ import annotations

import pytest

from tests.web.cases import ID_NUMBER, PDF, PNG, audit_count, make_case, ready_task, stored, uploads  # noqa: F401


@pytest.fixture
def case(web_app, uploads):  # noqa: F811
    documents = [stored("id_card", "身份证正反面.pdf", PDF), stored("income_proof", "收入证明.png", PNG)]
    instance_id = make_case("GZF2026-000101", documents=documents)
    return {"no": "GZF2026-000101", "instance_id": instance_id, "task": ready_task(instance_id), "docs": documents}


def test_the_applicant_sees_their_documents_and_downloads_them_unaudited(case, real_forms, as_user):
    applicant = as_user("applicant")
    page = applicant.get(f"/portal/applications/{case['no']}").get_data(as_text=True)
    assert 'data-testid="documents"' in page
    assert "身份证" in page and "身份证正反面.pdf" in page and "收入证明.png" in page
    assert "KB" in page and "没有上传材料" not in page
    first = case["docs"][0]["file_id"]
    assert f"/portal/applications/{case['no']}/documents/{first}" in page
    response = applicant.get(f"/portal/applications/{case['no']}/documents/{first}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert audit_count(case["instance_id"], "document.downloaded") == 0


def test_the_reviewer_sees_the_documents_on_the_task_page_and_each_download_is_audited(case, as_user):
    reviewer = as_user("street_yz")
    page = reviewer.get(f"/tasks/{case['task'].id}").get_data(as_text=True)
    assert 'data-testid="case-documents"' in page and "身份证正反面.pdf" in page and "收入证明.png" in page
    second = case["docs"][1]["file_id"]
    url = f"/tasks/{case['task'].id}/documents/{second}"
    assert url in page
    response = reviewer.get(url)
    assert response.status_code == 200 and response.data == PNG and response.headers["Content-Type"] == "image/png"
    assert audit_count(case["instance_id"], "document.downloaded") == 1
    history = reviewer.get(f"/tasks/{case['task'].id}").get_data(as_text=True)
    assert "下载申请材料" in history


def test_a_file_not_listed_by_the_case_is_not_served_even_to_its_owner(case, as_user):
    other = stored("id_card", "别人的.pdf")  # stored, but not one of this case's documents
    applicant = as_user("applicant")
    assert applicant.get(f"/portal/applications/{case['no']}/documents/{other['file_id']}").status_code == 404
    assert applicant.get(f"/portal/applications/{case['no']}/documents/..%2F..%2Fsecret.pdf").status_code == 404
    assert as_user("street_yz").get(f"/tasks/{case['task'].id}/documents/{other['file_id']}").status_code == 404


def test_another_applicant_can_open_nothing_of_the_case(case, real_forms, as_user):
    other = as_user("applicant2")
    no, file_id = case["no"], case["docs"][0]["file_id"]
    for url in (f"/portal/applications/{no}", f"/portal/applications/{no}/supplement",
                f"/portal/applications/{no}/documents/{file_id}", f"/portal/cases/{case['instance_id']}"):
        response = other.get(url)
        assert response.status_code == 404, url
        assert "身份证正反面.pdf" not in response.get_data(as_text=True)
    assert other.post(f"/portal/applications/{no}/supplement", data={"note": "x"}).status_code == 404
    # staff routes are not theirs either
    assert other.get(f"/tasks/{case['task'].id}/documents/{file_id}").status_code == 404


def test_a_street_reviewer_of_another_district_can_open_nothing_of_the_case(case, as_user):
    task_id, file_id = case["task"].id, case["docs"][0]["file_id"]
    other = as_user("street_jb")
    for url in (f"/tasks/{task_id}", f"/tasks/{task_id}/evidence/hukou", f"/tasks/{task_id}/diagram",
                f"/tasks/{task_id}/documents/{file_id}"):
        assert other.get(url).status_code == 404, url
    assert audit_count(case["instance_id"], "document.downloaded") == 0
    # the same URLs work for the case's own district, so the 404s above are about the district
    own = as_user("street_yz")
    assert own.get(f"/tasks/{task_id}/diagram").status_code == 200
    assert own.get(f"/tasks/{task_id}/documents/{file_id}").status_code == 200


def _full_ids(username: str, task_id: str, as_user) -> tuple[bool, int, str]:
    user = as_user(username)
    button = 'data-testid="full-ids"' in user.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = user.post(f"/tasks/{task_id}/full-ids")
    return button, response.status_code, response.get_data(as_text=True)


def test_the_full_id_button_and_route_agree_for_every_role(case, as_user):
    task_id = case["task"].id
    button, status, page = _full_ids("admin", task_id, as_user)
    assert button and status == 200 and ID_NUMBER in page and 'data-testid="full-ids-shown"' in page
    button, status, page = _full_ids("street_yz", task_id, as_user)
    assert not button and status == 403 and ID_NUMBER not in page
    assert audit_count(case["instance_id"], "pii.full_view") == 1
    as_user("street_yz").post(f"/tasks/{task_id}/complete", data={"decision": "approve", "opinion": "同意上报"})
    button, status, page = _full_ids("district_yz", ready_task(case["instance_id"]).id, as_user)
    assert button and status == 200 and ID_NUMBER in page
    assert audit_count(case["instance_id"], "pii.full_view") == 2
