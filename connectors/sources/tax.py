"""税务 individual income tax: monthly income declared for a member over the last months.

Platform: the 税务 REST service signed with SM2/SM3. ``POST /api/v1/grsds/sbxx`` with
``{"nsrsbh", "nsrxm", "sssqq", "sssqz"}`` (taxpayer ID number, name, period from / to as
``YYYY-MM``) answers ``sbxxList``: per month ``sssq``, ``sre`` income, ``ynse`` tax,
``kjywrmc`` withholding agent.

Verdict: always ``info`` — income lines are per person of the household, so only the policy
rules can judge them from every member's ``monthly_income``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base import INFO, Finding, SourceConnector, WindowParams, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import iso_month, last_full_months
from connectors.base.envelope import REST


class TaxFacts(Schema):
    """Facts of ``tax/check``."""

    monthly_income = fact(fields.Float, "average income over the months returned (CNY)", load_default=0.0)
    months_taxed = fact(fields.Integer, "months in the window with a declaration", load_default=0)
    total_income = fact(fields.Float, "income declared in the window (CNY)", load_default=0.0)
    tax_paid = fact(fields.Float, "tax declared in the window (CNY)", load_default=0.0)
    withholding_agents = fact(fields.List, "employers who declared", fields.String(), load_default=list)


@register_connector
class TaxConnector(SourceConnector):
    """税务: declared income of every member."""

    name = "tax"
    title = "税务个人所得税"
    signing = "sm2_sm3"
    sandbox_prefix = "/shuiwu"
    demo_credential = {
        "app_id": "SW-DEMO-APP",
        "private_key": "BA197BA84BEF56C72D8968628060E07C1262ECCD8CDD087649E4276F32C688D6",
        "public_key": (
            "df85edd7d36b27012794217d31155ae83dcc29a953492cedef1e442696080877"
            "5d2f920afd5c08d32b9b92af5bde7c506aaa86db1b2d6379cb57fecf1c979eaf"
        ),
    }
    envelope = REST
    Params = WindowParams
    Facts = TaxFacts
    sample_household = "over_income"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        window = last_full_months(params["months"])
        body = {"nsrsbh": member["id_number"], "nsrxm": member["name"], "sssqq": window[0], "sssqz": window[-1]}
        data = call.post("/api/v1/grsds/sbxx", body, label="sbxx") or {}
        rows = [r for r in data.get("sbxxList") or [] if iso_month(r["sssq"]) in window]
        if not rows:
            return self.not_found()
        months = {iso_month(r["sssq"]) for r in rows}
        total = round(sum(float(r["sre"]) for r in rows), 2)
        return Finding(
            True,
            {
                "monthly_income": round(total / len(months), 2),
                "months_taxed": len(months),
                "total_income": total,
                "tax_paid": round(sum(float(r.get("ynse") or 0) for r in rows), 2),
                "withholding_agents": sorted({r["kjywrmc"] for r in rows if r.get("kjywrmc")}),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return INFO, f"近{params['months']}个月无个人所得税申报记录。"
        agents = "、".join(f["withholding_agents"]) or "未知"
        return INFO, (
            f"近{params['months']}个月申报收入{f['months_taxed']}个月，月均{f['monthly_income']:.0f}元"
            f"（扣缴义务人：{agents}）。"
        )
