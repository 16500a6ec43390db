"""The 投诉与满意度 panel on PostgreSQL from manufactured complaints: figures, scoping, XLSX, API."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.services.errors import Forbidden
from app.statistics import refresh, service
from tests.statistics.test_dashboard import CITY, YZ, _bearer, _login, _march, _rows
from tests.support import statistics_data
from tests.support.statistics_data import MARCH


@pytest.fixture
def seeded(app):
    statistics_data.seed()
    refresh.refresh()
    return app


def test_complaint_figures_city_wide(seeded):
    panel = service.panel(CITY, "complaints", _march())
    assert panel["title"] == "投诉与满意度"
    # answered in 2, 5 and 1 working days (Friday → Monday is one); the 5 missed its deadline
    assert _rows(panel, "totals") == [{"received": 6, "answered": 3, "open": 2, "awaiting_info": 1,
                                       "median_days": 2, "p90_days": 5, "on_time_rate": 66.7,
                                       "average_rating": 3.67}]
    assert _rows(panel, "open_now") == [{"open": 2, "awaiting_info": 1, "overdue": 1}]
    assert {r["category"]: r["received"] for r in _rows(panel, "by_category")} == {"审核结果": 2, "物业": 3, "其他": 1}
    channels = {r["channel"]: r for r in _rows(panel, "by_channel")}
    assert channels["网上门户"]["received"] == 3 and channels["网上门户"]["answered"] == 1
    assert channels["热线电话"]["on_time_rate"] == 0.0 and channels["热线电话"]["median_days"] == 5
    assert _rows(panel, "satisfaction") == [{"rated": 3, "average_rating": 3.67, "reopened_rate": 33.3}]
    assert _rows(panel, "ratings") == [{"rating": k, "n": n} for k, n in ((1, 0), (2, 1), (3, 0), (4, 1), (5, 1))]


def test_complaints_outside_the_period_do_not_count_but_open_ones_still_do(seeded):
    april = service.panel(CITY, "complaints", service.make_filters(service.date(2025, 4, 1),
                                                                    service.date(2025, 4, 30)))
    assert _rows(april, "totals")[0]["received"] == 0 and _rows(april, "totals")[0]["median_days"] is None
    assert _rows(april, "open_now") == [{"open": 2, "awaiting_info": 1, "overdue": 1}]
    year = service.panel(CITY, "complaints", service.make_filters(service.date(2025, 1, 1),
                                                                   service.date(2025, 12, 31)))
    assert _rows(year, "totals")[0]["received"] == 6 and _rows(year, "totals")[0]["on_time_rate"] == 66.7


def test_a_district_manager_sees_their_own_complaints_only(seeded):
    yz = service.panel(YZ, "complaints", _march())
    assert _rows(yz, "totals") == [{"received": 4, "answered": 2, "open": 1, "awaiting_info": 1, "median_days": 2,
                                    "p90_days": 5, "on_time_rate": 50.0, "average_rating": 3.5}]
    assert _rows(yz, "open_now") == [{"open": 1, "awaiting_info": 1, "overdue": 0}]
    assert [r["district"] for r in _rows(yz, "by_district")] == ["渝中区"]
    with pytest.raises(Forbidden):
        service.panel(YZ, "complaints", _march(district="江北区"))
    answer = seeded.test_client().get("/api/v1/statistics/complaints", query_string={**MARCH, "district": "江北区"},
                                      headers=_bearer(seeded, YZ))
    assert answer.status_code == 403 and answer.mimetype == "application/problem+json"


def test_the_api_serves_the_complaints_panel(seeded):
    answer = seeded.test_client().get("/api/v1/statistics/complaints", query_string=MARCH,
                                      headers=_bearer(seeded, CITY))
    assert answer.status_code == 200
    assert _rows(answer.get_json(), "by_district") == [
        {"district": "江北区", "received": 2, "answered": 1, "open": 1, "awaiting_info": 0, "median_days": 1,
         "p90_days": 1, "on_time_rate": 100.0, "average_rating": 4.0},
        {"district": "渝中区", "received": 4, "answered": 2, "open": 1, "awaiting_info": 1, "median_days": 2,
         "p90_days": 5, "on_time_rate": 50.0, "average_rating": 3.5}]


def test_the_xlsx_export_of_the_complaints_panel(seeded):
    client = _login(seeded, CITY)
    answer = client.get("/statistics/complaints.xlsx", query_string=MARCH)
    assert answer.status_code == 200
    book = load_workbook(BytesIO(answer.data))
    assert book.sheetnames == ["说明", "投诉总量", "当前在办投诉", "按投诉类别", "按区县", "按受理渠道", "满意度",
                               "评分分布"]
    rows = list(book["按投诉类别"].iter_rows(values_only=True))
    assert rows[0][:2] == ("投诉类别", "收到投诉")
    assert ("审核结果", 2, 2, 0, 0, 2, 5, 50.0, 3.5) in rows
    assert list(book["满意度"].iter_rows(values_only=True))[1] == (3, 3.67, 33.3)


def test_the_page_shows_the_complaints_panel(seeded):
    html = _login(seeded, CITY).get("/statistics", query_string=MARCH).get_data(as_text=True)
    assert "投诉与满意度" in html and 'data-testid="table-complaints-totals"' in html


def test_the_complaints_panel_in_english(seeded):
    client = _login(seeded, CITY)
    with client.session_transaction() as session:
        session["lang"] = "en"
    html = client.get("/statistics", query_string=MARCH).get_data(as_text=True)
    for text in ("Complaints and satisfaction", "Complaints open now", "Answered in time %", "Property management",
                 "Online portal"):
        assert text in html
    book = load_workbook(BytesIO(client.get("/statistics/complaints.xlsx", query_string=MARCH).data))
    rows = list(book["By category"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Category", "Received", "Answered") and ("Review result", 2, 2) in [r[:3] for r in rows]
