"""公安交管 车辆 vehicles: motor vehicles registered to a member, with purchase prices.

Platform: the 交管 data-sharing gateway (HMAC-SHA256). ``POST /api/v1/jdc/query`` with
``{"sfzmhm"}`` lists vehicles: ``hphm`` plate, ``clpp`` brand, ``ccdjrq`` first registered,
``gcjg`` purchase price (CNY), ``zt`` status (``A`` normal; others transferred or cancelled,
which are not counted).

Verdict: ``pass`` with no vehicle; with ``price_limit`` given, ``fail`` above it and ``pass``
at or below it; without a limit, ``info`` (the limit is policy).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from connectors.base import FAIL, INFO, PASS, Finding, SourceConnector, SourceParams, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import iso_date
from connectors.base.envelope import GONGAN


class VehiclesParams(SourceParams):
    """``members`` plus an optional price limit."""

    price_limit = fields.Float(
        load_default=None,
        validate=validate.Range(min=0),
        metadata={"description": "purchase price above which a vehicle fails the check (CNY); policy data"},
    )


class VehicleSchema(Schema):
    """One vehicle."""

    plate = fields.String(metadata={"description": "号牌号码"})
    brand = fields.String(allow_none=True, metadata={"description": "品牌型号"})
    first_registered = fields.Date(allow_none=True, metadata={"description": "初次登记日期"})
    price = fields.Float(metadata={"description": "购车价格 CNY"})


class VehiclesFacts(Schema):
    """Facts of ``vehicles/check``."""

    vehicles = fact(fields.List, "vehicles currently registered", fields.Nested(VehicleSchema), load_default=list)
    vehicle_count = fact(fields.Integer, "how many", load_default=0)
    max_vehicle_price = fact(fields.Float, "highest purchase price (CNY), 0 with none", load_default=0.0)


@register_connector
class VehiclesConnector(SourceConnector):
    """公安交管车辆: vehicles of every member."""

    name = "vehicles"
    title = "公安交管车辆"
    signing = "hmac_sha256"
    sandbox_prefix = "/jiaoguan"
    demo_credential = {"app_key": "JG-DEMO-APP", "app_secret": "d8d3d156363a77b3bce83483"}
    envelope = GONGAN
    Params = VehiclesParams
    Facts = VehiclesFacts
    sample_household = "vehicle_over_limit"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        rows = call.post("/api/v1/jdc/query", {"sfzmhm": member["id_number"]}, label="jdc") or []
        vehicles = [
            {
                "plate": r["hphm"],
                "brand": r.get("clpp"),
                "first_registered": iso_date(r.get("ccdjrq")),
                "price": float(r["gcjg"]),
            }
            for r in rows
            if str(r.get("zt", "A")) == "A"
        ]
        if not vehicles:
            return self.not_found()
        return Finding(
            True,
            {
                "vehicles": vehicles,
                "vehicle_count": len(vehicles),
                "max_vehicle_price": max(v["price"] for v in vehicles),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return PASS, "名下无在册机动车。"
        top = max(f["vehicles"], key=lambda v: v["price"])
        text = (
            f"名下有机动车{f['vehicle_count']}辆，最高购置价{f['max_vehicle_price']:.0f}元"
            f"（{top['brand']}，{top['plate']}）"
        )
        limit = params.get("price_limit")
        if limit is None:
            return INFO, text + "。"
        if f["max_vehicle_price"] > limit:
            return FAIL, f"{text}，超过限额{limit:.0f}元。"
        return PASS, f"{text}，未超过限额{limit:.0f}元。"
