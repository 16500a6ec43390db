"""The stock's fixed vocabularies: housing types, layouts, statuses and who may change which."""

from __future__ import annotations

HOUSING_TYPES = {"gongzufang": "公租房", "baozufang": "保租房"}
#: layout → bedrooms (the matching decision works on bedrooms and area)
LAYOUTS = {"一室": 1, "一室一厅": 1, "两室一厅": 2, "两室两厅": 2, "三室一厅": 3, "三室两厅": 3}
STATUSES = {"vacant": "空置", "reserved": "已预订", "let": "已出租", "repair": "维修中", "withdrawn": "已下架"}
RENT_BASES = {"per_m2": "按面积", "fixed": "固定租金"}
#: the changes staff may make by hand; reserved and let come only from offers and leases
MANUAL = {("vacant", "repair"), ("vacant", "withdrawn"), ("repair", "vacant"), ("withdrawn", "vacant"),
          ("repair", "withdrawn"), ("withdrawn", "repair")}
#: the changes the allocation, lease and exit flows make
FLOW = {"reserve": ({"vacant"}, "reserved"), "release": ({"reserved"}, "vacant"),
        "let": ({"vacant", "reserved"}, "let"), "vacate": ({"let", "reserved"}, "vacant")}


def monthly_rent(basis: str, rate: float, area: float) -> float:
    """The monthly rent: ``rate`` per m² times the usable area, or ``rate`` itself when fixed."""
    return round(rate * area if basis == "per_m2" else rate, 2)
