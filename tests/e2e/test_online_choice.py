"""在线选房 in the browser: the city officer starts a choice round and watches it; the first
household picks a unit from the live list; the second, whose page refreshes by itself, then has
its turn, and the unit it is looking at is taken meanwhile by a household of a parallel round.

Read as the people would: the Chinese of whose turn it is and how long is left, the unit's
layout, area, floor, rent and facilities, what happened to their pick. The page's refresh timer
runs on Playwright's clock, so a refresh happens exactly when the test lets time pass.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.auth.identity import Identity
from app.choice import service as choice_service
from app.cli import deploy_directory
from app.services import tenancy_service
from app.stock import service as stock_service
from tests.conftest import ROOT, close
from tests.e2e.conftest import LiveServer, make_live_app
from tests.support.lottery_data import DISTRICT, seed_queue, units_csv

pytestmark = pytest.mark.e2e
OFFICER = Identity("city", "市住保", roles=("city_reviewer",), groups=("allocation_officer",))


@pytest.fixture
def choice_server(live_db):
    app = make_live_app(live_db, forms_dir=str(ROOT / "forms"), processes_dir=str(ROOT / "processes"))
    with app.app_context():
        deploy_directory(ROOT / "processes")
        stock_service.import_units(OFFICER, "房源.csv", units_csv(6))
        # the demo applicants are first and second in the queue; four more wait behind them
        numbers = seed_queue(6, usernames=("applicant", "applicant2"))
    with LiveServer(app) as server:
        server.app, server.numbers = app, numbers
        yield server
    close(app)


def test_a_household_picks_a_unit_online_and_the_officer_watches_the_round(choice_server, actors):
    make = actors(choice_server.url)
    officer = make("city")
    officer.page.clock.install()  # the page's refreshes run when the test lets time pass
    page = officer.goto("/allocation")
    page.check("input[name=method][value=choice]")
    page.check("input[name=source][value=stock]")
    page.fill("input[name=households]", "3")
    page.fill("input[name=window_hours]", "24")
    page.get_by_test_id("start-round").click()
    page.wait_for_load_state()
    flash = page.get_by_text("已发起配租").inner_text()
    round_no = flash.split()[-1]
    assert round_no.startswith("PZ")
    rounds = page.get_by_test_id("rounds").inner_text()
    assert "在线选房" in rounds
    page.get_by_test_id(f"progress-{round_no}").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=f"选房进度 {round_no}")).to_be_visible()
    first, second = choice_server.numbers[:2]
    current = page.get_by_test_id("progress-current").inner_text()
    assert f"当前第 1 位（张*华，{first}）正在选房" in current and "剩余 23 小时 5" in current
    assert "共 3 户：已选定 0 户" in page.get_by_test_id("progress-summary").inner_text()
    officer.shot("round-started")

    # the second household waits, and watches its page
    waiting = make("applicant2")
    waiting.page.clock.install()
    wait_page = waiting.goto("/portal")
    wait_page.get_by_test_id("my-choice-rounds").get_by_role("link", name=f"在线选房 {round_no}").click()
    wait_page.wait_for_load_state()
    assert "您家庭排第 2 位（共 3 户），请等待轮到您家庭。" in wait_page.get_by_test_id("choice-status").inner_text()
    assert "当前第 1 位（张*华）正在选房" in wait_page.get_by_test_id("current-turn").inner_text()
    assert wait_page.get_by_test_id("choice-units").get_by_role("button", name="选定").count() == 0

    # the first household comes from its portal's next step to the choice page
    tenant = make("applicant")
    portal = tenant.goto("/portal")
    portal.get_by_test_id("next-step").get_by_role("link", name="在线选房").click()
    portal.wait_for_load_state()
    expect(portal.get_by_role("heading", name=f"在线选房 {round_no}")).to_be_visible()
    status = portal.get_by_test_id("choice-status").inner_text()
    assert "轮到您选房了" in status and "剩余 23 小时" in status and "逾期未选视为放弃一次" in status
    units = portal.get_by_test_id("choice-units")
    row = units.get_by_role("row").filter(has_text="YZ-XF-1-0101")
    text = row.inner_text()
    assert "和居苑" in text and "一室一厅" in text and "40.0" in text and "480.00" in text
    assert "地铁1号线大坪站 400米、大坪小学" in text and "是" in text
    assert units.get_by_role("button", name="选定").count() == 6
    tenant.shot("my-turn")
    row.get_by_role("button", name="选定").click()
    portal.wait_for_load_state()
    expect(portal.get_by_text("您已选定房源 YZ-XF-1-0101（渝中区大坪正街18号").first).to_be_visible()
    assert portal.get_by_test_id("choice-status").get_attribute("data-status") == "accepted"
    tenant.shot("chosen")

    # the second household's page refreshes by itself: its turn, the unit taken is gone
    waiting.page.clock.run_for(6000)
    wait_page.get_by_text("轮到您选房了").wait_for()
    live = wait_page.get_by_test_id("choice-units")
    assert "YZ-XF-1-0101" not in live.inner_text() and live.get_by_role("button", name="选定").count() == 5
    waiting.shot("turn-comes")

    # a household of a parallel round takes the unit it is about to choose: a clear message, a fresh list
    with choice_server.app.app_context():
        parallel = tenancy_service.start_allocation_round(OFFICER, {
            "housing_type": "gongzufang", "district": DISTRICT, "method": "choice", "source": "stock",
            "households": 1, "window_hours": 24})["round_no"]
        rival = Identity("u204", "申请人", roles=("applicant",), groups=("applicant",))
        choice_service.choose(rival, parallel, "YZ-XF-1-0102")
    live.get_by_role("row").filter(has_text="YZ-XF-1-0102").get_by_role("button", name="选定").click()
    wait_page.wait_for_load_state()
    expect(wait_page.get_by_text("房源 YZ-XF-1-0102 已被其他家庭选定，请从刷新后的房源中另选一套")).to_be_visible()
    fresh = wait_page.get_by_test_id("choice-units").inner_text()
    assert "YZ-XF-1-0102" not in fresh and "YZ-XF-1-0103" in fresh
    assert "轮到您选房了" in wait_page.get_by_test_id("choice-status").inner_text()
    waiting.shot("unit-taken")

    # the officer's page follows: the first household chose, the second is choosing
    officer.page.clock.run_for(6000)
    page.get_by_text(f"当前第 2 位（张*华，{second}）正在选房").wait_for()
    progress = page.get_by_test_id("progress").inner_text()
    assert "已选定" in progress and "YZ-XF-1-0101" in progress and "等待选房" in progress
    assert "共 3 户：已选定 1 户" in page.get_by_test_id("progress-summary").inner_text()
    officer.shot("progress")
    assert not officer.console_errors and not tenant.console_errors and not waiting.console_errors
