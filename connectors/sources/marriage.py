"""民政婚姻登记 marriage registrations: marital status, spouse, dates.

Platform: a Zhejiang-style 民政 gateway (MD5 token). ``POST /api/hydj/query`` with
``{"cardId", "name"}`` lists registrations: ``op_type`` ``IA`` marriage / ``IB`` divorce,
``op_date``, both parties as ``cert_num_man`` / ``name_man`` and ``cert_num_woman`` /
``name_woman``. The latest registration gives the status.

Verdict: ``fail`` when the member is married to someone who is not among the members given
(an undeclared spouse); ``pass`` otherwise (unmarried, divorced, or spouse declared).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from app.privacy import mask_id_number
from connectors.base import FAIL, PASS, Finding, SourceConnector, declared_ids, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import iso_date
from connectors.base.envelope import ZHEJIANG

STATUSES = ("unmarried", "married", "divorced")


class MarriageFacts(Schema):
    """Facts of ``marriage/check``."""

    marital_status = fact(
        fields.String,
        "from the latest registration; 'unmarried' when there is none",
        validate=validate.OneOf(STATUSES),
        load_default="unmarried",
    )
    spouse_id_number = fact(fields.String, "current spouse's ID number (when married)")
    spouse_name = fact(fields.String, "current spouse's name (when married)")
    married_on = fact(fields.Date, "date of the latest marriage registration")
    divorced_on = fact(fields.Date, "date of the latest divorce registration")
    former_spouse_id_number = fact(fields.String, "the other party of the latest divorce")
    spouse_declared = fact(fields.Boolean, "the current spouse is among the members given (null if not married)")
    registrations = fact(fields.Integer, "number of registrations on record", load_default=0)


@register_connector
class MarriageConnector(SourceConnector):
    """民政婚姻登记: marital status and undeclared spouses."""

    name = "marriage"
    title = "民政婚姻登记"
    signing = "md5_token"
    sandbox_prefix = "/minzheng/hyxx"
    demo_credential = {"app_key": "MZ-HY-DEMO", "app_secret": "4d7e4a34bb4d34a92dc976fa"}
    envelope = ZHEJIANG
    Facts = MarriageFacts
    sample_household = "undeclared_spouse"

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        rows = call.post("/api/hydj/query", {"cardId": member["id_number"], "name": member["name"]}, label="hydj")
        events = sorted(rows or [], key=lambda r: str(iso_date(r["op_date"])))
        if not events:
            return self.not_found()
        facts = self.blank_facts()
        facts["registrations"] = len(events)
        for event in events:
            other = self._other_party(event, member["id_number"])
            if event["op_type"] == "IA":
                facts.update(
                    marital_status="married",
                    married_on=iso_date(event["op_date"]),
                    spouse_id_number=other[0],
                    spouse_name=other[1],
                )
            elif event["op_type"] == "IB":
                facts.update(
                    marital_status="divorced",
                    divorced_on=iso_date(event["op_date"]),
                    former_spouse_id_number=other[0],
                    spouse_id_number=None,
                    spouse_name=None,
                )
        if facts["marital_status"] == "married":
            facts["spouse_declared"] = facts["spouse_id_number"] in declared_ids(params["members"])
        return Finding(True, facts)

    @staticmethod
    def _other_party(event: dict[str, Any], id_number: str) -> tuple[str, str]:
        if event["cert_num_man"] == id_number:
            return event["cert_num_woman"], event["name_woman"]
        return event["cert_num_man"], event["name_man"]

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if f["marital_status"] == "married":
            spouse = f"{f['spouse_name']}（{mask_id_number(f['spouse_id_number'])}）"
            if not f["spouse_declared"]:
                return FAIL, f"婚姻登记显示已于{f['married_on']}与{spouse}登记结婚，但申请未申报该配偶。"
            return PASS, f"已婚（{f['married_on']}登记），配偶{spouse}已申报。"
        if f["marital_status"] == "divorced":
            return PASS, f"已于{f['divorced_on']}登记离婚，目前无婚姻登记在册。"
        return PASS, "无婚姻登记记录。"
