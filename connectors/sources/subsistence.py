"""民政低保/特困 subsistence: whether a member is recognised as 低保 or 特困, since when.

Platform: a Zhejiang-style 民政 gateway (MD5 token). ``POST /api/jzdx/query`` with
``{"sfzh"}`` answers ``dxlb`` category (``01`` 低保, ``02`` 特困), ``rdrq`` recognised on,
``zt`` status (``1`` current), ``bzje`` monthly allowance, or ``datas: null``.

Verdict: ``pass`` for a current 低保 or 特困 recognition (a priority group), ``info`` otherwise.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base import INFO, PASS, Finding, SourceConnector, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import iso_date
from connectors.base.envelope import ZHEJIANG


class SubsistenceFacts(Schema):
    """Facts of ``subsistence/check``."""

    dibao = fact(fields.Boolean, "currently recognised as 低保 (minimum living allowance)", load_default=False)
    tekun = fact(fields.Boolean, "currently recognised as 特困 (extreme hardship)", load_default=False)
    since = fact(fields.Date, "date of recognition")
    monthly_allowance = fact(fields.Float, "monthly allowance paid (CNY)", load_default=0.0)


@register_connector
class SubsistenceConnector(SourceConnector):
    """民政低保特困: priority-group recognition of every member."""

    name = "subsistence"
    title = "民政低保特困"
    signing = "md5_token"
    sandbox_prefix = "/minzheng/dbtk"
    demo_credential = {"app_key": "MZ-DB-DEMO", "app_secret": "7dafc32b4f40403d0374be6a"}
    envelope = ZHEJIANG
    Facts = SubsistenceFacts
    sample_household = "dibao_priority"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/jzdx/query", {"sfzh": member["id_number"]}, label="jzdx")
        if not data:
            return self.not_found()
        current = str(data["zt"]) == "1"
        return Finding(
            True,
            {
                "dibao": current and data["dxlb"] == "01",
                "tekun": current and data["dxlb"] == "02",
                "since": iso_date(data.get("rdrq")),
                "monthly_allowance": float(data.get("bzje") or 0),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if f["dibao"] or f["tekun"]:
            kind = "低保" if f["dibao"] else "特困"
            return PASS, f"民政认定为{kind}对象（{f['since']}起），月保障金{f['monthly_allowance']:.0f}元。"
        if finding.found:
            return INFO, "曾有低保或特困认定，目前已不在保。"
        return INFO, "未查到低保或特困认定记录。"
