"""学信网 学历 (higher-education records): the worked example of docs/connectors.md.

Some cities open 公租房 to new employees who graduated less than five years ago (Xuzhou), so
the graduation date is a fact the rules need. Platform: a REST service signed with
HMAC-SHA256. ``POST /api/v1/xlcx`` with ``{"zjhm", "xm"}`` answers ``data.xlxx``, one row per
certificate: ``yxmc`` school, ``cc`` level (专科 / 本科 / 硕士研究生 / 博士研究生), ``zymc``
major, ``byrq`` graduation date, ``zsbh`` certificate number.

Verdict: with ``within_years`` given, ``pass`` when the latest graduation is that recent and
``info`` otherwise; without it, ``info`` (the rule is policy). Not found: ``info``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from connectors.base import INFO, PASS, Finding, SourceConnector, SourceParams, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import full_years, iso_date, parse_date
from connectors.base.envelope import REST

LEVELS = {"专科": "junior_college", "本科": "bachelor", "硕士研究生": "master", "博士研究生": "doctor"}
RANK = ("junior_college", "bachelor", "master", "doctor")


class EducationParams(SourceParams):
    """``members`` plus an optional recency limit."""

    within_years = fields.Integer(
        load_default=None, validate=validate.Range(min=1, max=50),
        metadata={"description": "graduated at most this many years ago passes the check (policy data)"},
    )


class EducationFacts(Schema):
    """Facts of ``education/check``."""

    has_degree = fact(fields.Boolean, "holds a higher-education certificate", load_default=False)
    highest_level = fact(fields.String, "junior_college, bachelor, master or doctor", validate=validate.OneOf(RANK))
    school = fact(fields.String, "school of the latest certificate")
    major = fact(fields.String, "major of the latest certificate")
    graduated_on = fact(fields.Date, "graduation date of the latest certificate")
    years_since_graduation = fact(fields.Integer, "whole years since graduated_on")


@register_connector
class EducationConnector(SourceConnector):
    """学信网学历: degrees and graduation dates of every member."""

    name = "education"
    title = "学信网学历"
    signing = "hmac_sha256"
    sandbox_prefix = "/xuexin"
    demo_credential = {"app_key": "XX-DEMO-APP", "app_secret": "0cb6f9bcdbf3a2d23aad592d"}
    envelope = REST
    Params = EducationParams
    Facts = EducationFacts
    sample_household = "new_citizen_permit"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/v1/xlcx", {"zjhm": member["id_number"], "xm": member["name"]}, label="xlcx") or {}
        rows = sorted(data.get("xlxx") or [], key=lambda r: str(parse_date(r["byrq"])))
        if not rows:
            return self.not_found()
        latest = rows[-1]
        levels = [LEVELS[r["cc"]] for r in rows if r.get("cc") in LEVELS]
        graduated = parse_date(latest["byrq"])
        return Finding(
            True,
            {
                "has_degree": True,
                "highest_level": max(levels, key=RANK.index) if levels else None,
                "school": latest.get("yxmc"),
                "major": latest.get("zymc"),
                "graduated_on": iso_date(graduated),
                "years_since_graduation": full_years(graduated),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return INFO, "学信网无该成员的学历记录。"
        text = f"{f['graduated_on']}毕业于{f['school']}（{f['major']}），距今{f['years_since_graduation']}年"
        limit = params.get("within_years")
        if limit is not None and f["years_since_graduation"] <= limit:
            return PASS, f"{text}，在{limit}年以内。"
        return INFO, text + ("。" if limit is None else f"，超过{limit}年。")
