"""市场监管 business registration: companies a member represents or owns shares in.

Platform: the 市场监管 service behind a TIF gateway. ``POST /api/v1/ztxx/query`` with
``{"zjhm", "xm"}`` answers ``rzxx`` roles: ``entname`` company, ``uniscid`` credit code,
``position`` (法定代表人 / 股东 / 监事 / 高管), ``regcap`` registered capital in 万元,
``entstatus`` (存续 / 在业 active, 注销 cancelled, 吊销 revoked).

Verdict: ``pass`` when the member owns no active business; with ``capital_limit`` given,
``fail`` above it and ``pass`` at or below it; without a limit, ``info`` (the rule is policy).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from connectors.base import FAIL, INFO, PASS, Finding, SourceConnector, SourceParams, fact, register_connector
from connectors.base.call import Call
from connectors.base.envelope import TIF

ROLES = {"法定代表人": "legal_representative", "股东": "shareholder", "监事": "supervisor", "高管": "executive"}
ENTITY_STATUS = {"存续": "active", "在业": "active", "注销": "cancelled", "吊销": "revoked"}
OWNER_ROLES = ("legal_representative", "shareholder")
ROLE_TEXT = {v: k for k, v in ROLES.items()}


class BusinessParams(SourceParams):
    """``members`` plus an optional capital limit."""

    capital_limit = fields.Float(
        load_default=None,
        validate=validate.Range(min=0),
        metadata={"description": "registered capital above which owning a business fails the check (CNY)"},
    )


class RoleSchema(Schema):
    """One role in one company."""

    company = fields.String(metadata={"description": "企业名称"})
    credit_code = fields.String(allow_none=True, metadata={"description": "统一社会信用代码"})
    role = fields.String(metadata={"description": "legal_representative, shareholder, supervisor, executive"})
    capital = fields.Float(metadata={"description": "registered capital, CNY"})
    status = fields.String(metadata={"description": "active, cancelled, revoked"})


class BusinessFacts(Schema):
    """Facts of ``business/check``."""

    roles = fact(fields.List, "every registered role", fields.Nested(RoleSchema), load_default=list)
    owns_business = fact(fields.Boolean, "legal representative or shareholder of an active company", load_default=False)
    total_capital = fact(
        fields.Float, "registered capital of those companies, each counted once (CNY)", load_default=0.0
    )


@register_connector
class BusinessConnector(SourceConnector):
    """市场监管: businesses of every member."""

    name = "business"
    title = "市场监管企业登记"
    signing = "tif"
    sandbox_prefix = "/scjg"
    demo_credential = {"paas_id": "scjg_demo", "paas_token": "78e32346f94aff89572bdc29"}
    envelope = TIF
    Params = BusinessParams
    Facts = BusinessFacts
    sample_household = "business_owner"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/v1/ztxx/query", {"zjhm": member["id_number"], "xm": member["name"]}, label="ztxx")
        roles = [
            {
                "company": r["entname"],
                "credit_code": r.get("uniscid"),
                "role": ROLES.get(r["position"], "other"),
                "capital": round(float(r.get("regcap") or 0) * 10000, 2),
                "status": ENTITY_STATUS.get(r.get("entstatus"), "other"),
            }
            for r in (data or {}).get("rzxx") or []
        ]
        if not roles:
            return self.not_found()
        owned = {r["company"]: r["capital"] for r in roles if r["status"] == "active" and r["role"] in OWNER_ROLES}
        return Finding(
            True, {"roles": roles, "owns_business": bool(owned), "total_capital": round(sum(owned.values()), 2)}
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not f["owns_business"]:
            return PASS, "无在营企业的法定代表人或股东身份。"
        active = [r for r in f["roles"] if r["status"] == "active" and r["role"] in OWNER_ROLES]
        names = "、".join(sorted({ROLE_TEXT[r["role"]] for r in active}))
        text = f"为在营企业{active[0]['company']}的{names}，注册资本合计{f['total_capital'] / 10000:.0f}万元"
        limit = params.get("capital_limit")
        if limit is None:
            return INFO, text + "。"
        if f["total_capital"] > limit:
            return FAIL, f"{text}，超过限额{limit / 10000:.0f}万元。"
        return PASS, f"{text}，未超过限额{limit / 10000:.0f}万元。"
