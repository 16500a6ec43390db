"""民政家庭经济状况核对 household assets: deposits, securities, insurance per member.

Platform: the 核对中心's REST service (OAuth 2.0 client credentials). ``POST /api/v2/hdbg``
with ``{"idCard", "name"}`` answers ``ckye`` deposits, ``zqsz`` securities at market value,
``bxxjjz`` insurance cash value (CNY) and ``hdrq`` report date, or ``data: null``.

Verdict: always ``info`` — asset limits are policy (DMN), applied to the household total.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base import INFO, Finding, SourceConnector, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import iso_date
from connectors.base.envelope import REST


class FamilyAssetsFacts(Schema):
    """Facts of ``family_assets/check`` (CNY)."""

    deposits = fact(fields.Float, "bank deposits", load_default=0.0)
    securities = fact(fields.Float, "securities at market value", load_default=0.0)
    insurance = fact(fields.Float, "cash value of commercial insurance", load_default=0.0)
    total_assets = fact(fields.Float, "deposits + securities + insurance", load_default=0.0)
    report_date = fact(fields.Date, "date of the 核对 report")


@register_connector
class FamilyAssetsConnector(SourceConnector):
    """民政家庭经济状况核对: financial assets of every member."""

    name = "family_assets"
    title = "民政家庭经济状况核对"
    signing = "oauth2"
    sandbox_prefix = "/minzheng/hdzx"
    demo_credential = {"client_id": "hdzx-demo-client", "client_secret": "028564f76eec687c0d3ce7a3"}
    envelope = REST
    Facts = FamilyAssetsFacts

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/v2/hdbg", {"idCard": member["id_number"], "name": member["name"]}, label="hdbg")
        if not data:
            return self.not_found()
        deposits, securities, insurance = float(data["ckye"]), float(data["zqsz"]), float(data["bxxjjz"])
        return Finding(
            True,
            {
                "deposits": deposits,
                "securities": securities,
                "insurance": insurance,
                "total_assets": round(deposits + securities + insurance, 2),
                "report_date": iso_date(data.get("hdrq")),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return INFO, "核对中心无该成员的金融资产记录。"
        return INFO, (
            f"存款{f['deposits']:.0f}元、证券{f['securities']:.0f}元、保险现金价值{f['insurance']:.0f}元，"
            f"合计{f['total_assets']:.0f}元。"
        )
