"""不动产登记 real estate: homes a member owns now, and transfers within five years.

Platform: the 不动产 REST service (OAuth 2.0 client credentials). ``POST /api/v1/fwqs/query``
with ``{"qlrzjh", "qlrmc"}`` lists titles: ``bdcqzh`` certificate, ``zl`` address, ``jzmj``
area (m²), ``djsj`` registered, ``zxsj`` cancelled (sold, transferred), ``ghyt`` use,
``qszt`` 现势 (current) / 历史 (past).

Verdict: ``fail`` when the member owns a home or disposed of one within five years (the area
per person is for the policy rules to weigh, from ``total_area``); ``pass`` otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields

from connectors.base import FAIL, PASS, Finding, SourceConnector, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import iso_date, parse_date, today
from connectors.base.envelope import REST

RESIDENTIAL = ("住宅", "成套住宅", "residential")


class PropertySchema(Schema):
    """One title."""

    cert_no = fields.String(metadata={"description": "不动产权证号"})
    address = fields.String(metadata={"description": "坐落"})
    area = fields.Float(metadata={"description": "建筑面积 m²"})
    usage = fields.String(allow_none=True, metadata={"description": "规划用途"})
    acquired_on = fields.Date(allow_none=True, metadata={"description": "registered"})
    disposed_on = fields.Date(allow_none=True, metadata={"description": "cancelled (sold / transferred)"})
    current = fields.Boolean(metadata={"description": "still owned"})


class RealEstateFacts(Schema):
    """Facts of ``real_estate/check``."""

    properties = fact(fields.List, "every title, current and past", fields.Nested(PropertySchema), load_default=list)
    owns_home = fact(fields.Boolean, "owns a residential property now", load_default=False)
    total_area = fact(fields.Float, "area of residential properties owned now (m²)", load_default=0.0)
    transferred_within_5y = fact(fields.Boolean, "a title was cancelled in the last five years", load_default=False)


def _five_years_ago() -> date:
    now = today()
    return now.replace(year=now.year - 5) if (now.month, now.day) != (2, 29) else now.replace(year=now.year - 5, day=28)


@register_connector
class RealEstateConnector(SourceConnector):
    """不动产登记: homes owned and recent transfers of every member."""

    name = "real_estate"
    title = "不动产登记"
    signing = "oauth2"
    sandbox_prefix = "/bdc"
    demo_credential = {"client_id": "bdc-demo-client", "client_secret": "dfc2ba453ff870e56bf019e1"}
    envelope = REST
    Facts = RealEstateFacts
    sample_household = "owns_property"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/v1/fwqs/query", {"qlrzjh": member["id_number"], "qlrmc": member["name"]}, label="fwqs")
        records = (data or {}).get("records") or []
        if not records:
            return self.not_found()
        properties = []
        for r in records:
            disposed = parse_date(r.get("zxsj"))
            properties.append(
                {
                    "cert_no": r["bdcqzh"],
                    "address": r["zl"],
                    "area": float(r["jzmj"]),
                    "usage": r.get("ghyt"),
                    "acquired_on": iso_date(r.get("djsj")),
                    "disposed_on": iso_date(disposed),
                    "current": disposed is None and r.get("qszt") != "历史",
                }
            )
        homes = [p for p in properties if p["current"] and (p["usage"] or "住宅") in RESIDENTIAL]
        cutoff = _five_years_ago().isoformat()
        return Finding(
            True,
            {
                "properties": properties,
                "owns_home": bool(homes),
                "total_area": round(sum(p["area"] for p in homes), 2),
                "transferred_within_5y": any(p["disposed_on"] and p["disposed_on"] >= cutoff for p in properties),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return PASS, "名下无不动产登记记录。"
        if f["owns_home"]:
            homes = [p for p in f["properties"] if p["current"]]
            return FAIL, f"名下现有住房{len(homes)}套，建筑面积合计{f['total_area']}平方米（{homes[0]['address']}）。"
        if f["transferred_within_5y"]:
            return FAIL, "名下现无住房，但近5年内有房产注销（转让）记录。"
        return PASS, "名下现无住房；曾有房产已于5年以前注销登记。"
