"""住房公积金 housing provident fund, the two-step query.

Platform: a Zhejiang-style 公积金 gateway (MD5 token).

1. ``POST /api/query/grzhxx`` with ``{"ZJHM", "XM"}`` lists the member's accounts (several
   cities, normal and sealed): ``GRZH`` account, ``GRZHZT`` ``01`` normal / ``02`` sealed,
   ``DWMC`` employer, ``JZNY`` paid up to, ``GRJCJS`` base, ``SFDK`` has a loan, ``GJJZX`` centre;
2. ``POST /api/query/jcmx`` per account with ``{"GRZH", "KSNY", "JSNY"}`` lists the monthly
   deposits (``JCNY``) in the window.

Verdict: ``fail`` with a fund loan (a home bought with it); ``pass`` with a normal account;
``info`` when every account is sealed or there is none.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base import FAIL, INFO, PASS, Finding, SourceConnector, WindowParams, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import compact_month, iso_month, last_full_months
from connectors.base.envelope import ZHEJIANG

STATUS = {"01": "normal", "02": "sealed"}


class FundAccountSchema(Schema):
    """One 公积金 account."""

    account_no = fields.String(metadata={"description": "个人账号 (GRZH)"})
    status = fields.String(metadata={"description": "normal or sealed (GRZHZT 01 / 02)"})
    employer = fields.String(allow_none=True, metadata={"description": "单位名称 (DWMC)"})
    center = fields.String(allow_none=True, metadata={"description": "managing centre (GJJZX)"})
    paid_up_to = fields.String(allow_none=True, metadata={"description": "last month paid, YYYY-MM (JZNY)"})
    base = fields.Float(metadata={"description": "contribution base, CNY (GRJCJS)"})
    has_loan = fields.Boolean(metadata={"description": "a fund loan on this account (SFDK)"})
    months_deposited = fields.Integer(metadata={"description": "months with a deposit in the window"})


class HousingFundFacts(Schema):
    """Facts of ``housing_fund/check``."""

    accounts = fact(
        fields.List, "every account, normal and sealed", fields.Nested(FundAccountSchema), load_default=list
    )
    sealed_accounts = fact(fields.Integer, "how many accounts are sealed", load_default=0)
    months_deposited = fact(fields.Integer, "months in the window with a deposit on any account", load_default=0)
    monthly_income_estimate = fact(fields.Float, "sum of the bases of normal accounts (CNY)", load_default=0.0)
    has_loan = fact(fields.Boolean, "any account has a fund loan", load_default=False)


@register_connector
class HousingFundConnector(SourceConnector):
    """住房公积金: accounts and recent deposits of every member."""

    name = "housing_fund"
    title = "住房公积金"
    signing = "md5_token"
    sandbox_prefix = "/gjj"
    demo_credential = {"app_key": "GJJ-DEMO-APP", "app_secret": "f2424feafefa7ef573b2e56a"}
    envelope = ZHEJIANG
    Params = WindowParams
    Facts = HousingFundFacts
    sample_household = "multi_gjj_accounts"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        rows = call.post("/api/query/grzhxx", {"ZJHM": member["id_number"], "XM": member["name"]}, label="grzhxx")
        if not rows:
            return self.not_found()
        window = last_full_months(params["months"])
        span = {"KSNY": compact_month(window[0]), "JSNY": compact_month(window[-1])}
        accounts, months = [], set()
        for row in rows:
            deposits = call.post("/api/query/jcmx", {"GRZH": row["GRZH"], **span}, label="jcmx") or []
            deposited = {iso_month(d["JCNY"]) for d in deposits} & set(window)
            months |= deposited
            accounts.append(
                {
                    "account_no": row["GRZH"],
                    "status": STATUS[str(row["GRZHZT"])],
                    "employer": row.get("DWMC"),
                    "center": row.get("GJJZX"),
                    "paid_up_to": iso_month(row.get("JZNY")),
                    "base": float(row.get("GRJCJS") or 0),
                    "has_loan": str(row.get("SFDK")) == "1",
                    "months_deposited": len(deposited),
                }
            )
        return Finding(
            True,
            {
                "accounts": accounts,
                "sealed_accounts": sum(a["status"] == "sealed" for a in accounts),
                "months_deposited": len(months),
                "monthly_income_estimate": sum(a["base"] for a in accounts if a["status"] == "normal"),
                "has_loan": any(a["has_loan"] for a in accounts),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return INFO, "未查到住房公积金账户。"
        text = (
            f"公积金账户{len(f['accounts'])}个（封存{f['sealed_accounts']}个），"
            f"近{params['months']}个月缴存{f['months_deposited']}个月"
        )
        if f["has_loan"]:
            return FAIL, f"{text}，有公积金贷款记录。"
        if f["sealed_accounts"] == len(f["accounts"]):
            return INFO, f"{text}，账户均已封存。"
        return PASS, f"{text}，正常账户缴存基数合计{f['monthly_income_estimate']:.0f}元。"
