"""The public 公示 page with an objection, and a batch import, clicked through in the browser."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from app.cli import deploy_directory
from app.db import db
from app.models import Application, Objection
from app.services import batch_import_rows
from tests.conftest import ROOT
from tests.e2e.conftest import LiveServer, make_live_app, object_to
from tests.web.publications import ID_NUMBER, clear_publications, publish_case


def test_a_visitor_reads_the_list_and_files_an_objection(live_db, actors, tmp_path):
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"))
    with app.app_context():
        number = publish_case()
    try:
        with LiveServer(app) as server:
            visitor = actors(server.url)()
            page = visitor.goto("/publicity")
            listing = page.inner_text("[data-testid=publication]")
            assert number in listing and "张*丰" in listing and ID_NUMBER not in page.content()
            visitor.shot("publication")
            object_to(page, number, "太短")
            expect(page.locator("[data-error-for=content]")).to_have_count(1)
            page.fill("textarea[name=content]", "该申请人名下另有住房一套，已出租多年，请予核查。")
            page.click("[data-testid=submit-objection]")
            assert "回执号" in page.inner_text(".flash")
            visitor.shot("objection-received")
        with app.app_context(), db.session() as session:
            assert session.scalar(select(Objection.status)) == "pending"
    finally:
        with app.app_context():
            clear_publications()


def test_a_city_officer_imports_a_sheet_and_reads_the_row_report(live_db, actors, tmp_path):
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"))
    with app.app_context():
        deploy_directory(ROOT / "processes")
    rows = batch_import_rows.template_rows()
    rows[3][5] = "123"  # the spouse's ID number
    sheet = tmp_path / "applications.csv"
    sheet.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    with LiveServer(app) as server:
        city = actors(server.url)("city")
        page = city.goto("/batch-import")
        with page.expect_download() as download:
            page.click("[data-testid=template-xlsx]")
        assert download.value.suggested_filename.endswith(".xlsx")
        page.set_input_files("[data-testid=import-file]", str(sheet))
        page.click("[data-testid=import-upload]")
        page.wait_for_selector("text=已完成")
        report = page.inner_text("[data-testid=import-errors]")
        assert "4" in report and "身份证号码" in report
        with app.app_context(), db.session() as session:
            started = session.scalars(select(Application)).all()
        assert [c.applicant_username for c in started] == ["applicant"]
        assert started[0].application_no in page.inner_text("[data-testid=import-started]")
        city.shot("import-report")
