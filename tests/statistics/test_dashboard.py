"""The dashboard's figures on PostgreSQL from manufactured cases, district scoping, XLSX export."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.auth import tokens
from app.auth.identity import Identity
from app.statistics import refresh, service
from app.web.session_auth import TOKEN_KEY
from tests.support import statistics_data
from tests.support.statistics_data import MARCH
from tests.support.users import token_for

CITY = Identity("manager_city", "市统计", roles=("manager",), groups=("manager",))
YZ = Identity("manager_yz", "渝中统计", roles=("manager",), groups=("manager",), district="渝中区")
REVIEWER = Identity("district_yz", "复审", roles=("district_reviewer",), groups=("district_reviewer",),
                    district="渝中区")


@pytest.fixture
def seeded(app):
    statistics_data.seed()
    refresh.refresh()
    return app


def _march(**extra) -> service.Filters:
    return service.make_filters(service.date.fromisoformat(MARCH["start"]),
                                service.date.fromisoformat(MARCH["end"]), **extra)


def _rows(panel: dict, key: str) -> list[dict]:
    return next(t for t in panel["tables"] if t["key"] == key)["rows"]


def _bearer(app, identity: Identity) -> dict:
    return {"Authorization": f"Bearer {token_for(app, identity)}"}


def _login(app, identity: Identity):
    client = app.test_client()
    token = token_for(app, identity, tokens.SESSION)
    with client.session_transaction() as session:
        session[TOKEN_KEY] = token
    return client


def test_applications_city_wide_and_for_one_district(seeded):
    city = service.panel(CITY, "applications", _march())
    assert _rows(city, "totals") == [{"received": 6, "approved": 1, "rejected": 3, "withdrawn": 0, "decided": 4,
                                      "approval_rate": 25.0}]
    assert _rows(city, "rejection_reasons") == [
        {"reason_code": "INCOME", "reason_text": "家庭收入超过标准", "n": 2},
        {"reason_code": "HOME", "reason_text": "名下有房", "n": 1}]
    assert {r["district"]: r["received"] for r in _rows(city, "by_district")} == {"渝中区": 4, "江北区": 2}
    assert _rows(city, "by_period") == [{"period": "2025-03-03", "received": 6, "approved": 0, "rejected": 0},
                                        {"period": "2025-03-04", "received": 0, "approved": 0, "rejected": 1},
                                        {"period": "2025-03-05", "received": 0, "approved": 0, "rejected": 1},
                                        {"period": "2025-03-07", "received": 0, "approved": 0, "rejected": 1},
                                        {"period": "2025-03-10", "received": 0, "approved": 1, "rejected": 0}]
    yz = service.panel(YZ, "applications", _march())
    assert _rows(yz, "totals")[0]["received"] == 4 and _rows(yz, "totals")[0]["approval_rate"] == 33.3
    assert [r["district"] for r in _rows(yz, "by_district")] == ["渝中区"]
    assert [r["reason_code"] for r in _rows(yz, "rejection_reasons")] == ["INCOME"]
    april = service.panel(CITY, "applications", service.make_filters(
        service.date(2025, 4, 1), service.date(2025, 4, 30)))
    assert _rows(april, "totals")[0]["received"] == 0


def test_processing_working_days_percentiles_and_deadlines(seeded):
    city = service.panel(CITY, "processing", _march())
    steps = {r["step"]: r for r in _rows(city, "by_step")}
    # 初审 took 2, 5 and 1 working days (Friday → Monday is one); one of the two with a deadline was late
    assert steps["初审"] == {"step": "初审", "finished": 3, "median_days": 2, "p90_days": 5, "sla_rate": 50.0,
                            "open": 2, "overdue": 1}
    assert steps["复审"]["median_days"] == 3 and steps["复审"]["sla_rate"] == 100.0
    # end to end: 1, 2, 4 and 5 working days → nearest-rank median 2, p90 5
    assert _rows(city, "end_to_end") == [{"finished": 4, "median_days": 2, "p90_days": 5}]
    yz = service.panel(YZ, "processing", _march())
    assert _rows(yz, "end_to_end") == [{"finished": 3, "median_days": 4, "p90_days": 5}]
    assert [r["district"] for r in _rows(yz, "by_district")] == ["渝中区"]
    assert _rows(yz, "by_district")[0]["overdue"] == 1


def test_waiting_list_offers_and_verification_sources(seeded):
    waiting = service.panel(CITY, "waiting", _march())
    assert _rows(waiting, "length") == [{"households": 1, "median_days": 10, "p90_days": 10}]
    assert {r["priority_group"] for r in _rows(waiting, "by_priority_group")} == {"低保", "残疾"}
    assert _rows(waiting, "by_household_type")[0]["household_type"] == "单身"
    assert _rows(waiting, "offers")[0] == {"offers": 1, "accepted": 1, "declined": 0, "expired": 0,
                                           "acceptance_rate": 100.0}
    verification = service.panel(CITY, "verification", _march())
    hukou = next(r for r in _rows(verification, "by_source") if r["calls"] == 4)
    assert (hukou["failed"], hukou["failure_rate"], hukou["manual_rate"]) == (2, 50.0, 50.0)
    # 120, 180, 400 and 30000 ms fall in the buckets up to 200, 200, 800 and 51200 ms
    assert (hukou["latency_p50_ms"], hukou["latency_p90_ms"]) == (200, 51200)
    yz = service.panel(YZ, "verification", _march())
    assert sorted((r["calls"], r["failure_rate"], r["retry_rate"]) for r in _rows(yz, "by_source")) == [
        (1, 0.0, 100.0), (3, 33.3, 0.0)]


def test_a_district_manager_cannot_see_another_district(seeded):
    with pytest.raises(service.Forbidden):
        service.panel(YZ, "applications", _march(district="江北区"))
    with pytest.raises(service.Forbidden):
        service.panel(REVIEWER, "applications", _march())
    app = seeded
    client = app.test_client()
    answer = client.get("/api/v1/statistics/applications", query_string={**MARCH, "district": "江北区"},
                        headers=_bearer(app, YZ))
    assert answer.status_code == 403 and answer.get_json()["error_code"] == "forbidden"
    assert client.get("/api/v1/statistics/applications", headers=_bearer(app, REVIEWER)).status_code == 403
    own = client.get("/api/v1/statistics/applications", query_string=MARCH, headers=_bearer(app, YZ))
    assert own.status_code == 200 and own.get_json()["filters"]["district"] == "渝中区"
    pages = _login(app, YZ)
    assert pages.get("/statistics", query_string={**MARCH, "district": "江北区"}).status_code == 403
    assert pages.get("/statistics/applications.xlsx", query_string={**MARCH, "district": "江北区"}).status_code == 403
    page = pages.get("/statistics", query_string=MARCH).get_data(as_text=True)
    assert "渝中区" in page and "江北区" not in page


def test_bad_filters_get_clear_answers(seeded):
    client = seeded.test_client()
    headers = _bearer(seeded, CITY)
    backwards = client.get("/api/v1/statistics/processing", query_string={"start": "2025-03-31", "end": "2025-03-01"},
                           headers=headers)
    assert backwards.status_code == 422 and "end" in backwards.get_json()["errors"]
    assert client.get("/api/v1/statistics/waiting", query_string={"housing_type": "x"},
                      headers=headers).status_code == 422
    nul = client.get("/api/v1/statistics/applications", query_string={"district": "渝中\x00区"}, headers=headers)
    assert nul.status_code in (400, 422) and nul.mimetype == "application/problem+json"
    assert nul.headers["X-Request-ID"]
    page = _login(seeded, CITY).get("/statistics", query_string={"start": "3月1日"})
    assert page.status_code == 422 and "YYYY-MM-DD" in page.get_data(as_text=True)


def test_xlsx_export_holds_the_panel_numbers(seeded):
    client = _login(seeded, CITY)
    answer = client.get("/statistics/processing.xlsx", query_string=MARCH)
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(answer.data))
    sheet = book["各环节用时与时限"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("环节", "已办结", "中位用时（工作日）", "P90 用时（工作日）", "按期完成率 %", "在办", "当前超期")
    assert ("初审", 3, 2, 5, 50.0, 2, 1) in rows
    one = load_workbook(BytesIO(client.get("/statistics/applications.xlsx",
                                           query_string={**MARCH, "table": "rejection_reasons"}).data))
    assert one.sheetnames == ["说明", "主要不予通过原因"]
    assert list(one["主要不予通过原因"].iter_rows(values_only=True))[1] == ("INCOME", "家庭收入超过标准", 2)


def test_the_page_shows_every_panel_with_tables(seeded):
    page = _login(seeded, CITY).get("/statistics", query_string=MARCH)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for heading in ("申请受理与审批", "办理时限", "轮候与配租", "数据核验", "表格视图"):
        assert heading in html
    assert 'data-testid="table-processing-by_step"' in html and "statistics/build/dashboard.js" in html


def test_the_cli_rebuilds_the_summaries(seeded):
    from app.statistics import statistics_cli

    with seeded.app_context():
        result = seeded.test_cli_runner().invoke(statistics_cli, ["refresh"])
    assert result.exit_code == 0 and "统计汇总已更新" in result.output
    assert service.panel(CITY, "applications", _march())["refreshed_at"]


def test_on_sqlite_the_page_shows_no_figures_and_the_refresh_says_why(sqlite_app):
    from app.statistics import statistics_cli

    result = sqlite_app.test_cli_runner().invoke(statistics_cli, ["refresh"])
    assert result.exit_code == 1 and "PostgreSQL" in result.output
    page = _login(sqlite_app, CITY).get("/statistics")
    assert page.status_code == 200 and "housing statistics refresh" in page.get_data(as_text=True)


@pytest.mark.parametrize(("start", "end", "received", "rejected", "approved"), [
    ("2025-01-15", "2025-12-31", 6, 3, 1),  # March whole: its month rows
    ("2025-03-05", "2025-06-30", 0, 2, 1),  # March from the 5th: day rows, April to June: month rows
    ("2025-02-01", "2025-03-04", 6, 1, 0),  # daily: day rows only
    ("2025-03-01", "2025-03-31", 6, 3, 1),
])
def test_month_rows_and_day_rows_add_up_to_the_period(seeded, start, end, received, rejected, approved):
    f = service.make_filters(service.date.fromisoformat(start), service.date.fromisoformat(end))
    panel = service.panel(CITY, "applications", f)
    totals = _rows(panel, "totals")[0]
    assert (totals["received"], totals["rejected"], totals["approved"]) == (received, rejected, approved)
    processing = service.panel(CITY, "processing", f)
    finished = {r["step"]: r["finished"] for r in _rows(processing, "by_step")}
    assert finished.get("初审", 0) == {"2025-02-01": 0, "2025-03-05": 3}.get(start, 3)


def test_long_waits_are_counted_by_week_then_by_thirty_days(seeded):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from app.db import db
    from app.models.allocation import WaitingListEntry

    with db.transaction() as session:  # 100 days: the week from day 95; 400 days: the 30 days from day 395
        session.execute(update(WaitingListEntry).values(registered_at=datetime.now(UTC) - timedelta(days=100)))
    refresh.refresh()
    assert _rows(service.panel(CITY, "waiting", _march()), "length")[0]["median_days"] == 95
    with db.transaction() as session:
        session.execute(update(WaitingListEntry).values(registered_at=datetime.now(UTC) - timedelta(days=400)))
    refresh.refresh()
    assert _rows(service.panel(CITY, "waiting", _march()), "length")[0]["median_days"] == 395


def test_the_page_and_the_export_in_english(seeded):
    client = _login(seeded, CITY)
    with client.session_transaction() as session:
        session["lang"] = "en"
    html = client.get("/statistics", query_string=MARCH).get_data(as_text=True)
    for text in ("Statistics", "Processing time", "Steps against their deadlines", "On time %", "Table view",
                 "Export to Excel", "Top rejection reasons"):
        assert text in html
    book = load_workbook(BytesIO(client.get("/statistics/waiting.xlsx", query_string=MARCH).data))
    assert "Waiting list" in book.sheetnames
    assert next(book["Waiting list"].iter_rows(values_only=True)) == ("Households", "Median days waited",
                                                                       "P90 days waited")
