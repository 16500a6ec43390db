"""住建网签备案 / 保障记录: purchase contracts not yet registered, housing benefits received.

Platform: the 住建 REST service (OAuth 2.0 client credentials). ``POST /api/wqba/query`` with
``{"zjhm"}`` answers ``wqht`` (filed purchase contracts without a title yet: ``htbh``,
``xmmc`` project, ``qyrq`` signed, ``mj`` area) and ``bzjl`` (benefits: ``bzlx`` type,
``ssqx`` district, ``ksrq`` / ``jsrq`` from / to).

Verdict: ``fail`` with a filed purchase contract or a benefit still running (double benefit);
``info`` when only past benefits are on record; ``pass`` when there is nothing.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base import FAIL, INFO, PASS, Finding, SourceConnector, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import iso_date, today
from connectors.base.envelope import REST


class ContractSchema(Schema):
    """A purchase contract filed (网签备案) but not yet registered as a title."""

    contract_no = fields.String(metadata={"description": "合同编号"})
    project = fields.String(metadata={"description": "项目名称"})
    signed_on = fields.Date(allow_none=True, metadata={"description": "签约日期"})
    area = fields.Float(allow_none=True, metadata={"description": "面积 m²"})


class BenefitSchema(Schema):
    """A housing benefit received (公租房, 保租房, 租赁补贴 …)."""

    type = fields.String(metadata={"description": "保障类型"})
    district = fields.String(allow_none=True, metadata={"description": "所属区县"})
    started_on = fields.Date(allow_none=True, metadata={"description": "from"})
    ended_on = fields.Date(allow_none=True, metadata={"description": "to (null: still running)"})
    current = fields.Boolean(metadata={"description": "still running today"})


class HousingContractsFacts(Schema):
    """Facts of ``housing_contracts/check``."""

    unregistered_contracts = fact(
        fields.List, "filed purchase contracts without a title yet", fields.Nested(ContractSchema), load_default=list
    )
    benefits_received = fact(
        fields.List, "housing benefits received, past and current", fields.Nested(BenefitSchema), load_default=list
    )


@register_connector
class HousingContractsConnector(SourceConnector):
    """住建网签备案与保障记录: new purchases and double benefits of every member."""

    name = "housing_contracts"
    title = "住建网签备案与保障记录"
    signing = "oauth2"
    sandbox_prefix = "/zhujian"
    demo_credential = {"client_id": "zj-demo-client", "client_secret": "f3b717f18e70f1ab62bbeef2"}
    envelope = REST
    Facts = HousingContractsFacts
    sample_household = "owns_property"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/wqba/query", {"zjhm": member["id_number"]}, label="wqba") or {}
        contracts = [
            {
                "contract_no": c["htbh"],
                "project": c["xmmc"],
                "signed_on": iso_date(c.get("qyrq")),
                "area": float(c["mj"]) if c.get("mj") is not None else None,
            }
            for c in data.get("wqht") or []
        ]
        now = today().isoformat()
        benefits = []
        for b in data.get("bzjl") or []:
            end = iso_date(b.get("jsrq"))
            benefits.append(
                {
                    "type": b["bzlx"],
                    "district": b.get("ssqx"),
                    "started_on": iso_date(b.get("ksrq")),
                    "ended_on": end,
                    "current": end is None or end >= now,
                }
            )
        if not contracts and not benefits:
            return self.not_found()
        return Finding(True, {"unregistered_contracts": contracts, "benefits_received": benefits})

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if f["unregistered_contracts"]:
            c = f["unregistered_contracts"][0]
            return FAIL, (
                f"有已网签备案未办证的购房合同{len(f['unregistered_contracts'])}份"
                f"（{c['project']}，{c['signed_on']}签约）。"
            )
        current = [b for b in f["benefits_received"] if b["current"]]
        if current:
            return FAIL, f"正在享受住房保障：{current[0]['type']}（{current[0]['started_on']}起）。"
        if f["benefits_received"]:
            b = f["benefits_received"][-1]
            return INFO, f"曾享受{b['type']}（{b['started_on']}至{b['ended_on']}），已结束。"
        return PASS, "无网签备案购房合同，未享受过住房保障。"
