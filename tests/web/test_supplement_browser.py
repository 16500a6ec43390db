"""In a real browser, with and without the page script: answering a 补正 request.

The applicant reads the missing documents by name, may leave the member corrections blank,
adds and removes a correction row, and keeps the files already chosen when the page comes back
with an error. Screenshots go to test-artifacts/e2e/<test>/.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.db import db
from app.models import Application
from tests.conftest import ROOT
from tests.e2e.conftest import Actor, LiveServer, actors, browser, live_db, make_live_app  # noqa: F401
from tests.web.cases import FIXTURES, make_case

pytestmark = pytest.mark.e2e
NO = "GZF2026-000301"
MEMBERS = "members"
NOTICE = {"count": 1, "items": ["hukou_book", "housing_statement"], "note": "户口簿须含全部成员页",
          "deadline": "2026-12-17T09:00:00+08:00"}
APPLICANT_ID = "110105199001011232"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def server(live_db, tmp_path):  # noqa: F811
    app = make_live_app(live_db, forms_dir=str(FIXTURES / "forms"))  # the test process's own forms
    app.instance_path = str(tmp_path)
    with app.app_context():
        make_case(NO, status="supplement_requested", supplement=NOTICE, process="web_supplement")
        with db.transaction() as session:  # an ID number with a right check digit, as a correction needs
            session.execute(update(Application).where(Application.application_no == NO)
                            .values(applicant_id_number=APPLICANT_ID))
    settings = app.extensions["housing.settings"]
    app.extensions["housing.settings"] = settings.with_(forms_dir=str(ROOT / "forms"))  # the pages: real forms
    with LiveServer(app) as running:
        running.uploads = tmp_path / "uploads"
        yield running


class NoScript(Actor):
    """An applicant whose browser runs no script at all."""

    def __init__(self, browser, base_url, folder, username, counter):  # noqa: F811
        original = browser.new_context
        browser.new_context = lambda **kw: original(java_script_enabled=False, **kw)
        try:
            super().__init__(browser, base_url, folder, username, counter)
        finally:
            browser.new_context = original


def _applicant(actors, server, script: bool):  # noqa: F811
    actor = actors(server.url)("applicant")
    if script:
        return actor
    folder, counter = actor.folder, actor.counter
    actor.close()
    return NoScript(actor.context.browser, server.url, folder, "applicant", counter)


def _rows(page):
    return page.locator(f"[data-rows='{MEMBERS}'] > fieldset.row")


def _open(actor):
    page = actor.goto(f"/portal/applications/{NO}/supplement")
    notice = page.get_by_test_id("supplement-notice").inner_text()
    assert "户口簿" in notice and "住房情况声明" in notice and "户口簿须含全部成员页" in notice
    body = page.inner_text("body")
    assert "hukou_book" not in body and "housing_statement" not in body
    assert "更正后的家庭成员（无更正不填）" in body
    return page


@pytest.mark.parametrize("script", [True, False], ids=["script", "no_script"])
def test_a_supplement_without_corrections_keeps_its_files_through_an_error(server, actors, script):  # noqa: F811
    actor = _applicant(actors, server, script)
    page = _open(actor)
    assert _rows(page).count() == 0  # nothing to correct: no blank row that must be filled
    page.set_input_files("[data-testid=doc-file-0]", {"name": "户口簿.pdf", "mimeType": "application/pdf",
                                                       "buffer": PDF})
    page.set_input_files("[data-testid=doc-file-1]", {"name": "声明.pdf", "mimeType": "application/pdf",
                                                       "buffer": b"MZ not a pdf"})
    actor.shot("chosen")
    page.get_by_test_id("submit-supplement").click()
    page.wait_for_selector(".flash-error")
    body = page.inner_text("body")
    assert "文件内容与扩展名不符" in body and "数量不足" not in body
    held = page.get_by_test_id("held-files")
    assert "户口簿：户口簿.pdf" in held.inner_text()  # the good file is still there, by its name
    assert _rows(page).count() == 0
    actor.shot("error-keeps-the-good-file")
    page.set_input_files("[data-testid=doc-file-0]", {"name": "住房情况声明.pdf", "mimeType": "application/pdf",
                                                       "buffer": PDF})
    page.select_option("select[name=doc_kind_0]", "housing_statement")
    page.get_by_test_id("submit-supplement").click()
    page.wait_for_selector(".flash-ok")
    assert "补正材料已提交" in page.inner_text(".flash-ok")
    assert "申请人提交补正材料" in page.inner_text("body")
    stored = [p for p in server.uploads.iterdir() if p.is_file()]
    assert len(stored) == 2  # the file held through the error and the new one, both kept by the case
    assert not [p for p in (server.uploads / "held").iterdir()]  # nothing left held
    actor.shot("submitted")
    assert not actor.console_errors


@pytest.mark.parametrize("script", [True, False], ids=["script", "no_script"])
def test_a_member_correction_is_added_removed_and_kept_through_an_error(server, actors, script):  # noqa: F811
    actor = _applicant(actors, server, script)
    page = _open(actor)
    add = page.get_by_test_id(f"add-row-{MEMBERS}")
    add.click()
    page.wait_for_selector(f"input[name='{MEMBERS}.0.name']")
    assert _rows(page).count() == 1
    page.fill(f"input[name='{MEMBERS}.0.name']", "张三丰")
    _rows(page).nth(0).get_by_role("button", name="删除此行").click()  # changed my mind
    page.wait_for_function(f"document.querySelectorAll(\"input[name^='{MEMBERS}.']\").length === 0")
    assert _rows(page).count() == 0
    add = page.get_by_test_id(f"add-row-{MEMBERS}")
    add.click()
    page.wait_for_selector("fieldset.row input[name$='.name']")
    row = _rows(page).nth(0)
    row.locator("input[name$='.name']").fill("张三丰")
    row.locator("input[name$='.id_number']").fill("11010519900101123")  # a digit short
    row.locator("select[name$='.relation']").select_option("applicant")
    page.set_input_files("[data-testid=doc-file-0]", {"name": "户口簿.pdf", "mimeType": "application/pdf",
                                                       "buffer": PDF})
    page.get_by_test_id("submit-supplement").click()
    page.wait_for_selector(".flash-error")
    assert _rows(page).count() == 1  # the one correction, no blank row added to it
    assert page.input_value("input[name$='.name']") == "张三丰"
    assert "户口簿：户口簿.pdf" in page.get_by_test_id("held-files").inner_text()
    actor.shot("correction-with-an-error")
    page.fill("fieldset.row input[name$='.id_number']", APPLICANT_ID)
    page.get_by_test_id("submit-supplement").click()
    page.wait_for_selector(".flash-ok")
    assert "补正材料已提交" in page.inner_text(".flash-ok")
    actor.shot("submitted")
    assert not actor.console_errors
