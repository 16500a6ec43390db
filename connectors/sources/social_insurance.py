"""人社社保 social insurance: status, employer, months paid, contribution base.

Platform: the 人社 service behind a TIF gateway. ``POST /api/v1/sbjf/query`` with
``{"aac002", "aac003"}`` (ID number, name) answers ``aac008`` status (``1`` paying, ``2``
suspended, ``3`` retired), ``aab004`` employer, ``ljjfys`` / ``lxjfys`` months paid in all /
without a break up to last month, ``jfjs`` base, ``dyffe`` monthly pension, ``xzlist`` the
insurance types (``aae140``), or ``data: null``.

Verdict: ``pass`` while paying or retired on a pension, ``info`` when suspended or unknown.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from connectors.base import INFO, PASS, Finding, SourceConnector, fact, register_connector
from connectors.base.call import Call
from connectors.base.envelope import TIF

STATUS = {"1": "active", "2": "suspended", "3": "retired"}
TYPES = {
    "110": "pension",
    "120": "pension",
    "210": "unemployment",
    "310": "medical",
    "410": "injury",
    "510": "maternity",
}
STATUS_TEXT = {"active": "正常缴费", "suspended": "暂停缴费", "retired": "已退休"}


class SocialInsuranceFacts(Schema):
    """Facts of ``social_insurance/check``."""

    status = fact(fields.String, "active, suspended or retired", validate=validate.OneOf(tuple(STATUS.values())))
    employer = fact(fields.String, "employer paying the contributions (or the last one)")
    contribution_base = fact(fields.Float, "monthly contribution base (CNY)", load_default=0.0)
    months_paid = fact(fields.Integer, "months paid in all (累计缴费月数)", load_default=0)
    continuous_months = fact(fields.Integer, "months paid without a break up to last month", load_default=0)
    insurance_types = fact(
        fields.List, "pension, unemployment, medical, injury, maternity", fields.String(), load_default=list
    )
    pension_monthly = fact(fields.Float, "monthly pension paid to a retired member (CNY)", load_default=0.0)


@register_connector
class SocialInsuranceConnector(SourceConnector):
    """人社社保: contributions of every member."""

    name = "social_insurance"
    title = "人社社保"
    signing = "tif"
    sandbox_prefix = "/renshe"
    demo_credential = {"paas_id": "renshe_demo", "paas_token": "29aac5debd92861ffe4347c7"}
    envelope = TIF
    Facts = SocialInsuranceFacts

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/v1/sbjf/query", {"aac002": member["id_number"], "aac003": member["name"]}, label="sbjf")
        if not data:
            return self.not_found()
        types = [TYPES.get(str(x["aae140"]), str(x["aae140"])) for x in data.get("xzlist") or []]
        return Finding(
            True,
            {
                "status": STATUS[str(data["aac008"])],
                "employer": data.get("aab004"),
                "contribution_base": float(data.get("jfjs") or 0),
                "months_paid": int(data["ljjfys"]),
                "continuous_months": int(data.get("lxjfys") or 0),
                "insurance_types": sorted(set(types)),
                "pension_monthly": float(data.get("dyffe") or 0),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return INFO, "未查到社会保险参保记录。"
        text = f"社保{STATUS_TEXT[f['status']]}（{f['employer']}），累计缴费{f['months_paid']}个月"
        if f["status"] == "retired":
            return PASS, f"{text}，月养老金{f['pension_monthly']:.0f}元。"
        text += f"，连续缴费{f['continuous_months']}个月，缴费基数{f['contribution_base']:.0f}元。"
        return (PASS if f["status"] == "active" else INFO), text
