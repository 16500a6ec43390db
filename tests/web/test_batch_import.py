"""Batch import: template, row-by-row validation with a per-row report, cases started from valid rows."""

from __future__ import annotations

import csv
import io

import pytest

from app.services import batch_import_rows, batch_import_service
from app.services.user_service import authenticate


@pytest.fixture
def import_app(real_forms):
    """The page app reading the real application form."""
    return real_forms


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _started(calls):
    def starter(identity, form):
        calls.append(form)
        return f"TEST-{len(calls):03d}"

    return starter


def test_the_unchanged_template_imports_cleanly_in_both_formats(import_app):
    identity = authenticate("city", "demo123")
    for name, content in (("t.csv", batch_import_rows.template_csv()), ("t.xlsx", batch_import_rows.template_xlsx())):
        calls: list[dict] = []
        job = batch_import_service.start_import(identity, name, content, _started(calls), background=False)
        assert job.error_rows() == [] and job.state == "finished", (name, job.error_rows())
        assert [a.application_no for a in job.started] == ["TEST-001", "TEST-002"]
        family = calls[1]
        assert family["housing_type"] == "baozufang" and family["household"]["type"] == "nuclear"
        assert [m["relation"] for m in family["household"]["members"]] == ["applicant", "spouse", "child"]
        assert family["applicant"]["phone"] == "13800000002" and family["authorization"] is True


def test_bad_rows_are_reported_by_row_and_column_and_only_good_applications_start(import_app):
    rows = batch_import_rows.template_rows()
    rows[1][5] = "50010319900307123"        # application 1: ID number too short
    rows[3][6] = "表亲"                      # application 2, member 2: unknown relation
    rows.append(["3", "公租房", "渝中区", "单身", "孙七", rows[1][5][:17] + "0", "申请人本人", "abc", "", "13800000003",
                 "", "0", "0", "0", "否", "否", "是"])   # application 3: income not a number
    rows.append(["4", "公租房", "渝中区", "单身", "周八", "500103198001011234", "申请人本人", "100", "", "13800000004",
                 "", "0", "0", "0", "否", "否", "是"])
    calls: list[dict] = []
    job = batch_import_service.start_import(authenticate("city", "demo123"), "x.csv", _csv(rows), _started(calls),
                                            background=False)
    report = job.error_rows()
    assert (2, "身份证号码") in {(r, c) for r, c, _m in report}
    assert any(r == 4 and c == "与申请人关系" and "表亲" in m for r, c, m in report)
    assert any(r == 6 and c == "月收入（元）" for r, c, _m in report)
    assert [a.group for a in job.started] == ["4"] and len(calls) == 1


def test_a_wrong_file_is_refused_before_anything_starts(import_app):
    identity = authenticate("city", "demo123")
    for name, content, message in (("x.txt", b"a,b", "只接受"), ("x.csv", b"foo,bar\n1,2\n", "表头"),
                                   ("x.xlsx", b"not a zip", "XLSX")):
        with pytest.raises(batch_import_service.ValidationFailed) as info:
            batch_import_service.start_import(identity, name, content, _started([]), background=False)
        assert message in info.value.detail


def test_the_pages_offer_templates_upload_and_show_the_report(import_app, as_user):
    b = as_user("city")
    assert b.get("/batch-import/template.xlsx").data.startswith(b"PK")
    assert "申请序号" in b.get("/batch-import/template.csv").get_data(as_text=True)
    rows = batch_import_rows.template_rows()
    rows[1][16] = "也许"
    response = b.post("/batch-import", data={"file": (io.BytesIO(_csv(rows[:2])), "one.csv")},
                      content_type="multipart/form-data")
    assert response.status_code == 302
    page = b.get(response.headers["Location"]).get_data(as_text=True)
    assert "请填“是”或“否”" in page and "已签署核查授权书" in page
    report = b.get(response.headers["Location"] + "/errors.csv").get_data(as_text=True)
    assert "2,已签署核查授权书" in report
    assert as_user("street_yz").get("/batch-import").status_code == 403
    assert as_user("district_yz").get(response.headers["Location"]).status_code == 404
