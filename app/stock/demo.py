"""Demo stock for the embedded default: two projects in 渝中区 (公租房) and 江北区 (保租房)."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.stock import service
from app.stock.models import HousingUnit

LOADER = Identity("demo", "演示数据", roles=("admin",), groups=("admin",))
_HEJU = {"project": "和居苑", "district": "渝中区", "address": "渝中区大坪正街18号",
         "housing_type": "gongzufang", "rent_basis": "per_m2", "rent_rate": 12,
         "facilities": ["地铁1号线大坪站 400米", "大坪小学", "社区卫生服务中心"]}
_QINGNIAN = {"project": "青年汇", "district": "江北区", "address": "江北区观音桥建新北路66号",
             "housing_type": "baozufang", "rent_basis": "fixed", "facilities": ["地铁3号线观音桥站 300米", "商圈"]}
#: code, building, room, layout, usable area, floor, lift, overrides
UNITS = [
    ("YZ-HJ-1-0101", "1栋", "0101", "一室一厅", 38.5, 1, False, {}),
    ("YZ-HJ-1-0302", "1栋", "0302", "一室一厅", 41.0, 3, False, {}),
    ("YZ-HJ-2-0101", "2栋", "0101", "两室一厅", 55.0, 1, True, {}),
    ("YZ-HJ-2-0802", "2栋", "0802", "两室一厅", 62.0, 8, True, {}),
    ("YZ-HJ-2-1203", "2栋", "1203", "三室一厅", 78.0, 12, True, {}),
    ("YZ-HJ-2-1501", "2栋", "1501", "两室一厅", 60.0, 15, True, {}),
    ("JB-QN-A-0605", "A座", "0605", "一室", 28.0, 6, True, {"rent_rate": 1450}),
    ("JB-QN-A-0706", "A座", "0706", "一室", 30.0, 7, True, {"rent_rate": 1500}),
    ("JB-QN-A-0901", "A座", "0901", "一室一厅", 42.0, 9, True, {"rent_rate": 1980}),
]
#: a unit shown under repair (taken off the market by staff, with the reason in its history)
UNDER_REPAIR = ("YZ-HJ-2-1501", "卫生间漏水，维修中")


def load() -> list[str]:
    """Add the demo units that are not in the stock yet; returns their codes."""
    with db.session() as session:
        have = set(session.scalars(select(HousingUnit.code)))
    added = []
    for code, building, room, layout, area, floor, lift, over in UNITS:
        if code in have:
            continue
        base = _HEJU if code.startswith("YZ") else _QINGNIAN
        service.add_unit(LOADER, {**base, "code": code, "building": building, "room_no": room, "layout": layout,
                                  "usable_area": area, "floor": floor, "has_lift": lift, **over})
        added.append(code)
    if UNDER_REPAIR[0] in added:
        service.set_status(LOADER, UNDER_REPAIR[0], "repair", UNDER_REPAIR[1])
    return added
