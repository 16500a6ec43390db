"""残联 disability certificates: whether a member holds one, its category and grade.

Platform: the 残联 service behind a TIF gateway. ``POST /api/cjrxx`` with ``{"zjhm", "xm"}``
answers ``cjzh`` certificate number (the ID number plus two digits: masked in the evidence),
``cjlb`` category (1 视力 … 7 多重), ``cjdj`` grade (1–4), ``fzrq`` issued, ``yxqz`` valid
until, or ``data: null``.

Verdict: ``pass`` with a valid certificate (a priority group), ``info`` otherwise.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base import INFO, PASS, Finding, SourceConnector, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import iso_date, today
from connectors.base.envelope import TIF

CATEGORY = {
    "1": "visual",
    "2": "hearing",
    "3": "speech",
    "4": "physical",
    "5": "intellectual",
    "6": "mental",
    "7": "multiple",
}
CATEGORY_TEXT = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "physical": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}
GRADE_TEXT = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


class DisabilityFacts(Schema):
    """Facts of ``disability/check``."""

    disabled = fact(fields.Boolean, "holds a disability certificate valid today", load_default=False)
    category = fact(fields.String, "visual, hearing, speech, physical, intellectual, mental, multiple")
    grade = fact(fields.Integer, "1 (most severe) to 4")
    issued_on = fact(fields.Date, "certificate issued")
    valid_until = fact(fields.Date, "certificate valid until")


@register_connector
class DisabilityConnector(SourceConnector):
    """残联: disability certificate of every member."""

    name = "disability"
    title = "残联残疾人证"
    signing = "tif"
    sandbox_prefix = "/canlian"
    demo_credential = {"paas_id": "canlian_demo", "paas_token": "e7a5d1b2935e0e8720a4a2a4"}
    envelope = TIF
    mask_keys = frozenset({"cjzh"})
    Facts = DisabilityFacts
    sample_household = "disabled_member"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/cjrxx", {"zjhm": member["id_number"], "xm": member["name"]}, label="cjrxx")
        if not data:
            return self.not_found()
        valid_until = iso_date(data.get("yxqz"))
        return Finding(
            True,
            {
                "disabled": valid_until is None or valid_until >= today().isoformat(),
                "category": CATEGORY.get(str(data["cjlb"])),
                "grade": int(data["cjdj"]),
                "issued_on": iso_date(data.get("fzrq")),
                "valid_until": valid_until,
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return INFO, "未查到残疾人证记录。"
        text = f"{CATEGORY_TEXT.get(f['category'], '')}残疾{GRADE_TEXT.get(f['grade'], '')}"
        if f["disabled"]:
            return PASS, f"持有残疾人证：{text}，有效期至{f['valid_until']}。"
        return INFO, f"残疾人证（{text}）已于{f['valid_until']}过期。"
