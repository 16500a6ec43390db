"""The unit_matching decisions (processes/unit_matching.dmn) and the draw's pairing of households with units."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from app.auth.identity import Identity
from app.db import db
from app.stock import flow, matching, service
from tests.conftest import bearer

DMN = Path(__file__).resolve().parents[2] / "processes" / "unit_matching.dmn"
CITY = Identity("city", "市住保", roles=("city_reviewer",), groups=("city_reviewer",))


def _band(housing_type: str, size: int, groups=()) -> dict:
    with db.session() as session:
        return matching.band_for(session, matching.facts_of(housing_type, size, list(groups))).as_dict()


@pytest.mark.parametrize(("housing_type", "size", "groups", "rooms", "area", "accessible"), [
    ("gongzufang", 1, (), (1, 1), (0, 50), False),
    ("gongzufang", 2, (), (1, 2), (30, 60), False),
    ("gongzufang", 4, (), (2, 2), (45, 80), False),
    ("gongzufang", 6, ("dibao",), (2, 3), (60, 100), False),
    ("gongzufang", 2, ("elderly",), (1, 2), (30, 60), True),
    ("gongzufang", 3, ("disability", "dibao"), (2, 2), (45, 80), True),
    ("baozufang", 1, (), (1, 1), (0, 45), False),
    ("baozufang", 3, (), (1, 2), (0, 70), False),
])
def test_the_decisions_give_each_household_its_band(app, housing_type, size, groups, rooms, area, accessible):
    band = _band(housing_type, size, groups)
    assert (band["min_rooms"], band["max_rooms"]) == rooms
    assert (band["min_area"], band["max_area"]) == area
    assert band["accessible_only"] is accessible


def test_a_deployed_version_edited_by_policy_staff_is_used(app, client):
    edited = re.sub(rb'(<outputEntry id="Out_gzf_single_3">\s*<text>)50(</text>)', rb"\g<1>35\g<2>",
                    DMN.read_bytes())
    assert edited != DMN.read_bytes()
    response = client.post("/api/v1/process-definitions", data={"files": [(io.BytesIO(edited), "unit_matching.dmn")]},
                           headers=bearer(app, "policy"), content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    assert _band("gongzufang", 1)["max_area"] == 35


def _add(code: str, layout: str, area: float, floor: int, lift: bool = False) -> None:
    service.add_unit(CITY, {"code": code, "project": "匹配苑", "district": "渝中区", "address": "渝中区匹配路1号",
                            "building": "1栋" if not lift else "2栋", "room_no": code, "housing_type": "gongzufang",
                            "layout": layout, "usable_area": area, "floor": floor, "rent_rate": 10,
                            "has_lift": lift})


def test_each_household_gets_the_first_unit_its_band_allows(app):
    _add("S1", "一室一厅", 40, 5)          # single, upper floor, no lift
    _add("F1", "两室一厅", 65, 6)          # family
    _add("E1", "一室一厅", 45, 1)          # ground floor: accessible
    _add("R1", "两室一厅", 70, 1)
    with db.transaction() as session:
        flow.apply(session, "reserve", "R1", "另一轮已获配", "OTHER")
    typed = {"code": "TYPED-1", "address": "手工录入", "area": 50, "rent": 500}
    units = [{"code": c} for c in ("S1", "F1", "E1", "R1")] + [typed]
    households = [("family", 4, []), ("elderly_pair", 2, ["elderly"]), ("single", 1, []), ("big", 7, []),
                  ("late", 1, [])]
    with db.session() as session:
        pairs = matching.assign(session, "gongzufang", households, units)
    assert [(n, u["code"]) for n, u in pairs] == [("family", "F1"), ("elderly_pair", "E1"), ("single", "S1"),
                                                  ("big", "TYPED-1")]
