"""In a real browser: the apply page's 添加成员 / 删除此行 work in place, every row reaches the server,
and a file over the size limits is refused before it is sent."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import LiveServer, actors, browser, live_db, make_live_app  # noqa: F401

pytestmark = pytest.mark.e2e
MEMBERS = "household.members"
FAMILY = [("张三丰", "110105199001011234", "applicant"), ("李梅", "110105199202021236", "spouse"),
          ("张小宝", "110105201803031238", "child")]


@pytest.fixture
def server(live_db):  # noqa: F811
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"))
    with LiveServer(app) as running:
        yield running


def _fill(page, index: int, name: str, id_number: str, relation: str) -> None:
    page.fill(f"input[name='{MEMBERS}.{index}.name']", name)
    page.fill(f"input[name='{MEMBERS}.{index}.id_number']", id_number)
    page.select_option(f"select[name='{MEMBERS}.{index}.relation']", relation)


def test_a_family_is_entered_on_a_fresh_page_and_reaches_the_server(server, actors):  # noqa: F811
    applicant = actors(server.url)("applicant")
    page = applicant.goto("/portal/apply")
    rows = page.locator(f"[data-rows='{MEMBERS}'] > fieldset.row")
    assert rows.count() == 1
    _fill(page, 0, *FAMILY[0])
    page.evaluate("window.stillThisPage = true")  # gone if a button reloaded the page
    add = page.locator(f"[data-testid='add-row-{MEMBERS}']")
    add.click()
    add.click()
    add.click()
    assert rows.count() == 4 and page.evaluate("window.stillThisPage === true")  # no round trip
    assert page.input_value(f"input[name='{MEMBERS}.1.name']") == ""  # a copy, cleared
    _fill(page, 1, *FAMILY[1])
    _fill(page, 3, *FAMILY[2])
    rows.nth(2).locator("[data-remove-row]").click()  # the empty third row goes
    assert rows.count() == 3 and page.locator(f"input[name='{MEMBERS}.2.name']").count() == 0
    assert rows.nth(2).locator("legend").inner_text() == "#3" and page.evaluate("window.stillThisPage === true")
    applicant.shot("family")
    # Enter submits the application (the authorisation is unticked, so it comes back with errors)
    page.press(f"input[name='{MEMBERS}.0.name']", "Enter")
    page.wait_for_selector(".flash-error")
    assert "请检查标红的项目" in page.inner_text(".flash-error")
    for index, (name, _id_number, relation) in enumerate(FAMILY):
        assert page.input_value(f"input[name='{MEMBERS}.{index}.name']") == name
        assert page.input_value(f"select[name='{MEMBERS}.{index}.relation']") == relation
    assert rows.count() == 3  # the three members, no blank row added to them
    applicant.shot("redrawn")
    assert not applicant.console_errors


def test_a_file_over_the_limits_is_refused_before_it_is_sent(server, actors):  # noqa: F811
    applicant = actors(server.url)("applicant")
    page = applicant.goto("/portal/apply")
    page.evaluate("window.stillThisPage = true")
    big = {"name": "户口簿.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * (10 * 1024 * 1024)}
    page.set_input_files("[data-testid=doc-file-0]", big)
    message = page.eval_on_selector("[data-testid=doc-file-0]", "el => el.validationMessage")
    assert "户口簿.pdf 超过 10 MB" in message
    page.click("[data-testid=submit-application]")
    assert page.evaluate("window.stillThisPage === true")  # the browser kept the form
    small = {"name": "户口簿.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    page.set_input_files("[data-testid=doc-file-0]", small)
    assert page.eval_on_selector("[data-testid=doc-file-0]", "el => el.validationMessage") == ""
    nine = {"name": "a.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * (9 * 1024 * 1024)}
    for slot, name in enumerate(("a", "b", "c", "d")):
        page.set_input_files(f"[data-testid=doc-file-{slot}]", nine | {"name": f"{name}.pdf"})
    messages = page.eval_on_selector_all("input[type=file]", "els => els.map(el => el.validationMessage)")
    assert messages[:3] == ["", "", ""] and "合计超过 32 MB" in messages[3]
    assert not applicant.console_errors
