"""The complaints panel read from complaints the real process handled (routing, reply, rating,
reopen, transfer, asking for information) — the work orders as the engine leaves them."""

from __future__ import annotations

from app.statistics import refresh, service
from tests.processes.conftest import flow_app, ready_task, sandbox  # noqa: F401  (fixtures)
from tests.processes.test_complaints import FORM, complaint_app, file_publicly, login, rate, reply  # noqa: F401
from tests.statistics.test_dashboard import CITY, _rows


def test_reply_reopen_transfer_and_more_information_as_the_panel_counts_them(complaint_app):  # noqa: F811
    app = complaint_app
    # 渝中区: answered, rated 2, reopened, answered again, rated 4
    number, follow_up = file_publicly(app, FORM)
    reply(app, "district_yz", ready_task(number, "handle_complaint", "district_reviewer"), "已核实，下周公示。")
    rate(app, follow_up, 2)
    reply(app, "district_yz", ready_task(number, "handle_complaint", "district_reviewer"), "公示期为下周一至周五。")
    rate(app, follow_up, 4)
    # 江北区 through the portal: transferred, then the complainant is asked for more information
    applicant = login(app, "applicant")
    answer = applicant.post("/complaints/portal/new", data=FORM | {"category": "房屋质量", "district": "江北区",
                                                                    "application_no": "", "content": "卫生间漏水。"})
    other = answer.headers["Location"].rsplit("/", 1)[1]
    task = ready_task(other, "handle_complaint", "allocation_officer")
    assert login(app, "city").post(f"/complaints/tasks/{task.id}",
                                   data={"action": "transfer", "transfer_to": "district_reviewer"}).status_code == 302
    moved = ready_task(other, "handle_complaint", "district_reviewer")
    assert login(app, "district_jb").post(f"/complaints/tasks/{moved.id}",
                                          data={"action": "more_info", "info_request": "请提供地址"}).status_code == 302
    # 渝中区 again: not handled yet
    file_publicly(app, FORM | {"category": "物业"})

    refresh.refresh()
    panel = service.panel(CITY, "complaints", service.make_filters())
    assert _rows(panel, "totals") == [{"received": 3, "answered": 1, "open": 1, "awaiting_info": 1,
                                       "median_days": 0, "p90_days": 0, "on_time_rate": 100.0,
                                       "average_rating": 4.0}]
    assert _rows(panel, "open_now") == [{"open": 1, "awaiting_info": 1, "overdue": 0}]
    assert _rows(panel, "satisfaction") == [{"rated": 1, "average_rating": 4.0, "reopened_rate": 100.0}]
    assert {r["channel"]: r["received"] for r in _rows(panel, "by_channel")} == {"公开页面": 2, "网上门户": 1}
