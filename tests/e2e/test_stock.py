"""A district officer imports units from a CSV file and reads the vacancy figures of the 房源库.

Read as the officer would: the per-row problem in Chinese (a unit of another district), how many
units were imported, then the vacancy table of their district and a unit's status history.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.stock import sheet
from tests.conftest import close
from tests.e2e.conftest import LiveServer, make_live_app

pytestmark = pytest.mark.e2e
ROWS = [
    [title for _key, title in sheet.COLUMNS],
    ["YZ-E2E-0101", "和居苑", "渝中区", "渝中区大坪正街18号", "1栋", "0101", "公租房", "一室一厅", "38.5", "1",
     "按面积", "12", "否", "地铁1号线大坪站 400米、大坪小学"],
    ["YZ-E2E-0802", "和居苑", "渝中区", "渝中区大坪正街18号", "2栋", "0802", "公租房", "两室一厅", "62", "8",
     "固定租金", "780", "是", ""],
    ["JB-E2E-0101", "青年汇", "江北区", "江北区建新北路66号", "A座", "0101", "保租房", "一室", "28", "1", "固定租金",
     "1450", "是", ""],
]


@pytest.fixture
def stock_server(live_db):
    app = make_live_app(live_db)
    with LiveServer(app) as server:
        yield server
    close(app)


def test_the_officer_imports_a_csv_and_reads_the_vacancy_of_the_district(stock_server, actors):
    officer = actors(stock_server.url)("district_yz")
    page = officer.goto("/")
    page.get_by_role("link", name="房源库").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="房源库")).to_be_visible()
    expect(page.get_by_text("房源库中还没有房源")).to_be_visible()

    page.get_by_role("link", name="批量导入房源").click()
    page.wait_for_load_state()
    expect(page.get_by_text("您只能导入本区县（渝中区）的房源。")).to_be_visible()
    content = "\ufeff" + "\n".join(",".join(row) for row in ROWS) + "\n"
    page.set_input_files("[data-testid=stock-file]", files=[
        {"name": "房源.csv", "mimeType": "text/csv", "buffer": content.encode("utf-8")}])
    page.click("[data-testid=stock-upload]")
    page.wait_for_load_state()
    assert page.get_by_test_id("import-summary").inner_text() == "共 3 行，已导入 2 套房源。"
    errors = page.get_by_test_id("import-errors").inner_text()
    assert "4" in errors and "区县" in errors and "只能登记本区县（渝中区）的房源" in errors
    officer.shot("imported")

    page.get_by_test_id("see-vacancy").click()
    page.wait_for_load_state()
    vacancy = page.get_by_test_id("vacancy")
    row = vacancy.locator("tbody tr").first.inner_text()
    assert "渝中区" in row and "公租房" in row and "100.0%" in row
    assert "江北区" not in vacancy.inner_text()
    units = page.get_by_test_id("units").inner_text()
    assert "YZ-E2E-0101" in units and "YZ-E2E-0802" in units and "空置" in units
    officer.shot("vacancy")

    page.get_by_role("link", name="YZ-E2E-0802").click()
    page.wait_for_load_state()
    page.select_option("select[name=status]", "repair")
    page.fill("input[name=reason]", "卫生间漏水")
    page.get_by_role("button", name="变更状态").click()
    page.wait_for_load_state()
    expect(page.get_by_text("房源状态已变更")).to_be_visible()
    assert page.get_by_test_id("unit-status").inner_text() == "维修中"
    assert "卫生间漏水" in page.get_by_test_id("history").inner_text()
    page.get_by_role("link", name="返回房源库").click()
    page.wait_for_load_state()
    assert "50.0%" in page.get_by_test_id("vacancy").inner_text()
