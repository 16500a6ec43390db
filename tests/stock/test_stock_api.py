"""房源库 over the API on PostgreSQL: adding, importing (good and bad rows), scoping, status, vacancy."""

from __future__ import annotations

import io

from openpyxl import Workbook

from app.auth.identity import Identity
from app.stock import sheet
from tests.support.users import bearer_for

CITY = Identity("city", "市住保", roles=("city_reviewer",), groups=("city_reviewer",))
YUZHONG = Identity("district_yz", "渝中复审", roles=("district_reviewer",), groups=("district_reviewer",),
                   district="渝中区")
APPLICANT = Identity("someone", "申请人", roles=("applicant",), groups=("applicant",))
HEADER = ",".join(title for _key, title in sheet.COLUMNS)


def _unit(**over) -> dict:
    unit = {"code": "YZ-T-1-0101", "project": "测试苑", "district": "渝中区", "address": "渝中区测试路1号",
            "building": "1栋", "room_no": "0101", "housing_type": "gongzufang", "layout": "一室一厅",
            "usable_area": 40.0, "floor": 1, "rent_basis": "per_m2", "rent_rate": 12.5, "has_lift": False,
            "facilities": ["地铁2号线 300米", "小学"]}
    return {**unit, **over}


def _upload(client, app, content: bytes, name: str = "units.csv", who: Identity = CITY):
    return client.post("/api/v1/stock/imports", data={"file": (io.BytesIO(content), name)},
                       headers=bearer_for(app, who), content_type="multipart/form-data")


def test_a_unit_is_added_vacant_with_its_rent_and_accessibility_and_a_history(app, client):
    response = client.post("/api/v1/stock/units", json=_unit(), headers=bearer_for(app, CITY))
    assert response.status_code == 201, response.json
    unit = response.json
    assert unit["status"] == "vacant" and unit["monthly_rent"] == 500.0 and unit["accessible"] is True
    assert unit["rooms"] == 1 and unit["project"] == "测试苑"
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in unit["history"]] == [("", "vacant", "city")]
    again = client.post("/api/v1/stock/units", json=_unit(), headers=bearer_for(app, CITY))
    assert again.status_code == 422 and again.json["errors"]["code"] == ["房屋编号 YZ-T-1-0101 已存在"]
    high = client.post("/api/v1/stock/units", json=_unit(code="YZ-T-1-0901", floor=9, rent_basis="fixed",
                                                         rent_rate=800), headers=bearer_for(app, CITY)).json
    assert high["accessible"] is False and high["monthly_rent"] == 800.0


def test_district_staff_work_in_their_own_district_only(app, client):
    wrong = client.post("/api/v1/stock/units", json=_unit(district="江北区"), headers=bearer_for(app, YUZHONG))
    assert wrong.status_code == 422 and wrong.json["errors"]["district"] == ["只能登记本区县（渝中区）的房源"]
    assert client.post("/api/v1/stock/units", json=_unit(), headers=bearer_for(app, YUZHONG)).status_code == 201
    client.post("/api/v1/stock/units", json=_unit(code="JB-1", district="江北区"), headers=bearer_for(app, CITY))
    mine = client.get("/api/v1/stock/units", headers=bearer_for(app, YUZHONG)).json["items"]
    assert [u["code"] for u in mine] == ["YZ-T-1-0101"]
    assert client.get("/api/v1/stock/units/JB-1", headers=bearer_for(app, YUZHONG)).status_code == 404
    other = client.get("/api/v1/stock/vacancy?district=江北区", headers=bearer_for(app, YUZHONG))
    assert other.status_code == 403 and other.headers["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/stock/units", headers=bearer_for(app, APPLICANT)).status_code == 403


def test_the_import_adds_the_good_rows_and_names_every_bad_one_in_chinese(app, client):
    place = "安居苑,渝中区,渝中区安居路1号"
    rows = [
        HEADER,
        f"YZ-A-1-0101,{place},1栋,0101,公租房,一室一厅,38.5,1,按面积,12,否,地铁1号线 400米、大坪小学",
        f"YZ-A-2-1502,{place},2栋,1502,公租房,两室一厅,62,15,固定租金,780,是,菜市场",
        f"YZ-A-2-1503,{place},2栋,1503,公租房,四室一厅,62,15,固定租金,780,是,",
        f"YZ-A-2-1504,{place},2栋,1504,廉租房,两室一厅,大约60,15,按面积,abc,也许,",
        f"YZ-A-1-0101,{place},1栋,0102,公租房,一室,30,1,按面积,12,否,",
    ]
    result = _upload(client, app, ("\n".join(rows) + "\n").encode("utf-8"))
    assert result.status_code == 200, result.json
    body = result.json
    assert body["created"] == ["YZ-A-1-0101", "YZ-A-2-1502"] and body["rows"] == 5
    problems = {(p["row"], p["column"], p["message"]) for p in body["problems"]}
    assert (4, "户型", "“四室一厅”不是可选户型（一室、一室一厅、两室一厅、两室两厅、三室一厅、三室两厅）") in problems
    assert (5, "住房类型", "“廉租房”不是可选值（公租房、保租房）") in problems
    assert (5, "使用面积（平方米）", "应为数字") in problems
    assert (5, "租金标准（元/平方米·月，或元/月）", "应为数字") in problems
    assert (5, "有电梯", "请填“是”或“否”") in problems
    assert (6, "房屋编号", "与第 2 行的房屋编号重复") in problems
    units = {u["code"]: u for u in client.get("/api/v1/stock/units", headers=bearer_for(app, CITY)).json["items"]}
    assert units["YZ-A-1-0101"]["facilities"] == ["地铁1号线 400米", "大坪小学"]
    assert units["YZ-A-2-1502"]["has_lift"] is True and units["YZ-A-2-1502"]["accessible"] is True
    again = _upload(client, app, ("\n".join(rows[:2]) + "\n").encode("utf-8")).json
    assert again["created"] == [] and again["problems"][0]["message"] == "房屋编号 YZ-A-1-0101 已在房源库中"


def test_an_xlsx_sheet_imports_and_an_unreadable_file_is_a_chinese_problem(app, client):
    book = Workbook()
    for row in sheet.template_rows():
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    assert _upload(client, app, buffer.getvalue(), "units.xlsx").json["created"] == ["YZ-HJ-1-0101", "YZ-HJ-2-1502"]
    wrong = _upload(client, app, "编号,名称\nA,B\n".encode(), "units.csv")
    assert wrong.status_code == 422 and wrong.json["detail"] == "表头与模板不一致，请下载模板后填写"
    assert _upload(client, app, b"x", "units.txt").json["detail"] == "只接受 .csv 或 .xlsx 文件"


def test_vacancy_figures_count_by_district_type_and_status(app, client):
    for code, district, housing_type in (("A1", "渝中区", "gongzufang"), ("A2", "渝中区", "gongzufang"),
                                         ("A3", "渝中区", "baozufang"), ("B1", "江北区", "gongzufang")):
        client.post("/api/v1/stock/units", json=_unit(code=code, district=district, housing_type=housing_type,
                                                      room_no=code), headers=bearer_for(app, CITY))
    changed = client.post("/api/v1/stock/units/A2/status", json={"status": "repair", "reason": "漏水维修"},
                          headers=bearer_for(app, CITY))
    assert changed.status_code == 200 and changed.json["status"] == "repair"
    assert changed.json["history"][0]["reason"] == "漏水维修"
    figures = client.get("/api/v1/stock/vacancy", headers=bearer_for(app, CITY)).json
    rows = {(r["district"], r["housing_type"]): r for r in figures["rows"]}
    assert rows[("渝中区", "gongzufang")]["vacant"] == 1 and rows[("渝中区", "gongzufang")]["repair"] == 1
    assert rows[("渝中区", "gongzufang")]["vacancy_rate"] == 50.0
    assert rows[("渝中区", "baozufang")]["total"] == 1 and figures["totals"]["total"] == 4
    scoped = client.get("/api/v1/stock/vacancy", headers=bearer_for(app, YUZHONG)).json
    assert {r["district"] for r in scoped["rows"]} == {"渝中区"}
    filtered = client.get("/api/v1/stock/units?status=repair", headers=bearer_for(app, CITY)).json["items"]
    assert [u["code"] for u in filtered] == ["A2"]


def test_staff_cannot_reserve_or_let_a_unit_by_hand(app, client):
    client.post("/api/v1/stock/units", json=_unit(), headers=bearer_for(app, CITY))
    refused = client.post("/api/v1/stock/units/YZ-T-1-0101/status", json={"status": "let", "reason": "直接出租"},
                          headers=bearer_for(app, CITY))
    assert refused.status_code == 409 and "预订和出租只能通过配租、签约和退出办理" in refused.json["detail"]
    edited = client.put("/api/v1/stock/units/YZ-T-1-0101", json={**_unit(), "code": "IGNORED", "rent_rate": 20},
                        headers=bearer_for(app, CITY))
    assert edited.status_code == 200 and edited.json["monthly_rent"] == 800.0 and edited.json["code"] == "YZ-T-1-0101"


def test_the_demo_stock_loads_once_with_a_unit_under_repair(app, client):
    from app.services import demo_service

    added = demo_service.load_demo_stock()
    assert len(added) == 9 and demo_service.load_demo_stock() == []
    figures = client.get("/api/v1/stock/vacancy", headers=bearer_for(app, CITY)).json
    rows = {(r["district"], r["housing_type"]): r for r in figures["rows"]}
    assert rows[("渝中区", "gongzufang")]["total"] == 6 and rows[("渝中区", "gongzufang")]["repair"] == 1
    assert rows[("江北区", "baozufang")]["vacant"] == 3
