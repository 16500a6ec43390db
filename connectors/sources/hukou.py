"""公安户籍 household registration: where a member's hukou is, since when, in which household.

Platform: the 公安 data-sharing gateway (HMAC-SHA256). ``POST /api/v1/czrk/query`` with
``{"sfzh", "xm"}`` answers the registration (``hjszd_*`` place, ``hh`` household number,
``yhzgx`` relation to the head, ``qrrq`` date moved in, ``xmbd`` name check) or ``data: null``.

Verdict: ``pass`` when the person is registered under the name given; ``fail`` when the
registry does not know the ID number or the name does not match it.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base import FAIL, PASS, Finding, SourceConnector, SourceParams, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import full_years, iso_date, parse_date
from connectors.base.envelope import GONGAN


class HukouParams(SourceParams):
    """``members`` plus the city whose hukou counts as local."""

    city = fields.String(
        load_default=None,
        metadata={"description": "city whose hukou counts as local (default: the connector option 'city')"},
    )


class HukouFacts(Schema):
    """Facts of ``hukou/check``."""

    local_hukou = fact(fields.Boolean, "hukou is in the city checked against", load_default=False)
    hukou_province = fact(fields.String, "province of the hukou")
    hukou_city = fact(fields.String, "city of the hukou")
    hukou_district = fact(fields.String, "district or county of the hukou")
    hukou_address = fact(fields.String, "registered address")
    hukou_since = fact(fields.Date, "date moved into this registration (迁入日期)")
    hukou_years = fact(fields.Integer, "whole years since hukou_since", load_default=0)
    household_no = fact(fields.String, "household number (户号); equal for one registered household")
    relation_to_head = fact(fields.String, "relation to the head of household as registered (户主, 妻, 子 …)")
    name_matched = fact(fields.Boolean, "the registered name equals the name given", load_default=False)


@register_connector
class HukouConnector(SourceConnector):
    """公安户籍: hukou place, years and household of every member."""

    name = "hukou"
    title = "公安户籍"
    signing = "hmac_sha256"
    sandbox_prefix = "/gongan/hukou"
    demo_credential = {"app_key": "HJ-DEMO-APP", "app_secret": "4d55a71670514136eae9bb53"}
    envelope = GONGAN
    default_options = {"city": "重庆市"}
    Params = HukouParams
    Facts = HukouFacts

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        data = call.post("/api/v1/czrk/query", {"sfzh": member["id_number"], "xm": member["name"]}, label="czrk")
        if not data:
            return self.not_found()
        city = params.get("city") or self.options["city"]
        since = parse_date(data.get("qrrq"))
        return Finding(
            True,
            {
                "local_hukou": city in (data["hjszd_shi"], data["hjszd_sheng"]),
                "hukou_province": data["hjszd_sheng"],
                "hukou_city": data["hjszd_shi"],
                "hukou_district": data.get("hjszd_qx"),
                "hukou_address": data.get("hjdz"),
                "hukou_since": iso_date(since),
                "hukou_years": full_years(since),
                "household_no": data.get("hh"),
                "relation_to_head": data.get("yhzgx"),
                "name_matched": str(data.get("xmbd")) == "1",
            },
        )

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return FAIL, "公安户籍库中未查到该身份证号码。"
        if not f["name_matched"]:
            return FAIL, "身份证号码与姓名不一致。"
        place = f"{f['hukou_province']}{f['hukou_city']}{f['hukou_district'] or ''}".replace("重庆市重庆市", "重庆市")
        local = "本市户籍" if f["local_hukou"] else "非本市户籍"
        return PASS, (
            f"户籍在{place}（{local}），{f['hukou_since']}迁入，已满{f['hukou_years']}年，"
            f"户号{f['household_no']}，与户主关系：{f['relation_to_head']}。"
        )
