"""公安居住证 residence permits: whether a member holds a valid permit, since when.

Platform: the 公安 data-sharing gateway (HMAC-SHA256). ``POST /api/v1/jzzxx`` with
``{"gmsfhm", "xm"}`` lists permits: ``jzzbh`` number, ``fzrq`` issued, ``yxqz`` valid until,
``jzd_cs`` / ``jzd_qx`` city and district of residence.

Verdict: ``pass`` with a permit valid today, ``info`` otherwise (only policy can say whether a
permit is needed: new citizens applying for 保租房 need one, local hukou holders do not).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base import INFO, PASS, Finding, SourceConnector, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import full_years, iso_date, parse_date, today
from connectors.base.envelope import GONGAN


class ResidencePermitFacts(Schema):
    """Facts of ``residence_permit/check``."""

    has_permit = fact(fields.Boolean, "holds a permit valid today", load_default=False)
    permit_no = fact(fields.String, "number of the latest permit")
    permit_city = fact(fields.String, "city of residence on the latest permit")
    permit_district = fact(fields.String, "district of residence on the latest permit")
    issued_on = fact(fields.Date, "date the first permit on record was issued")
    valid_until = fact(fields.Date, "expiry date of the latest permit")
    permit_years = fact(fields.Integer, "whole years since issued_on", load_default=0)


@register_connector
class ResidencePermitConnector(SourceConnector):
    """公安居住证: residence permit and its years for every member."""

    name = "residence_permit"
    title = "公安居住证"
    signing = "hmac_sha256"
    sandbox_prefix = "/gongan/jzz"
    demo_credential = {"app_key": "JZZ-DEMO-APP", "app_secret": "276f34a77c005d89e2bb3d46"}
    envelope = GONGAN
    Facts = ResidencePermitFacts
    sample_household = "new_citizen_permit"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/v1/jzzxx", {"gmsfhm": member["id_number"], "xm": member["name"]}, label="jzzxx")
        permits = sorted(data["list"] or [], key=lambda p: str(parse_date(p["fzrq"])))
        if not permits:
            return self.not_found()
        first, latest = permits[0], permits[-1]
        valid_until = parse_date(latest["yxqz"])
        issued = parse_date(first["fzrq"])
        return Finding(
            True,
            {
                "has_permit": valid_until is not None and valid_until >= today(),
                "permit_no": latest.get("jzzbh"),
                "permit_city": latest.get("jzd_cs"),
                "permit_district": latest.get("jzd_qx"),
                "issued_on": iso_date(issued),
                "valid_until": iso_date(valid_until),
                "permit_years": full_years(issued),
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return INFO, "未查到居住证记录。"
        where = f"{f['permit_city'] or ''}{f['permit_district'] or ''}"
        if f["has_permit"]:
            return (
                PASS,
                f"持有{where}居住证，{f['issued_on']}首次签发，有效期至{f['valid_until']}，已满{f['permit_years']}年。",
            )
        return INFO, f"曾持有{where}居住证，已于{f['valid_until']}过期。"
