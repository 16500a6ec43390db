"""配租系统 allocation system: put an approved household on the waiting list.

Platform: a Zhejiang-style gateway (MD5 token). ``POST /api/household/push`` with ``{"sqbh"
application no., "hzxm" / "hzsfzh" head's name and ID number, "jtrk" household size, "qx"
district, "fylx" housing type, "pxfz" priority score, "yxlb" priority groups, "lxdh" phone}``
answers ``{"lsh": receipt, "lhxh": place in the queue}``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from connectors.base import Connector, operation, register_connector
from connectors.base.call import Call
from connectors.base.envelope import ZHEJIANG
from connectors.base.outbound import ReceiptSchema, receipt
from connectors.base.source import id_number_field


class HouseholdSchema(Schema):
    """The household as the allocation system needs it (other fields are dropped)."""

    class Meta:
        unknown = EXCLUDE

    applicant_name = fields.String(required=True)
    applicant_id_number = id_number_field(required=True)
    size = fields.Integer(required=True, validate=validate.Range(min=1))
    district = fields.String(required=True)
    phone = fields.String(load_default=None, validate=validate.Regexp(r"^1[3-9]\d{9}$"))


class PushParams(Schema):
    """Parameters of ``allocation_system/push``."""

    application_no = fields.String(required=True)
    household = fields.Nested(HouseholdSchema, required=True)
    priority_score = fields.Float(required=True, metadata={"description": "ranking score for the waiting list"})
    housing_type = fields.String(required=True, validate=validate.OneOf(("gongzufang", "baozufang")))
    priority_groups = fields.List(
        fields.String(), load_default=list, metadata={"description": "dibao, tekun, disability, veteran, elderly …"}
    )


@register_connector
class AllocationSystemConnector(Connector):
    """配租系统: the waiting list for allocation."""

    name = "allocation_system"
    title = "配租系统"
    signing = "md5_token"
    sandbox_prefix = "/peizu"
    demo_credential = {"app_key": "PZ-DEMO-APP", "app_secret": "524837aefbea9224cebab6fc"}
    envelope = ZHEJIANG
    samples = {
        "push": {
            "application_no": "GZF2026-000123",
            "priority_score": 86.5,
            "housing_type": "gongzufang",
            "household": {
                "applicant_name": "刘建国",
                "applicant_id_number": "500106198603181153",
                "size": 3,
                "district": "沙坪坝区",
                "phone": "13983001002",
            },
            "priority_groups": [],
        }
    }

    @operation("push", params=PushParams, result=ReceiptSchema, description="put a household on the waiting list")
    def push(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """Push the household; the receipt id is the system's ``lsh``, ``queue_no`` its place."""
        household = params["household"]
        body = {
            "sqbh": params["application_no"],
            "hzxm": household["applicant_name"],
            "hzsfzh": household["applicant_id_number"],
            "jtrk": household["size"],
            "qx": household["district"],
            "fylx": params["housing_type"],
            "pxfz": params["priority_score"],
            "yxlb": params["priority_groups"],
            "lxdh": household["phone"],
        }
        data = call.post("/api/household/push", body, label="push")
        return receipt(self, call, data["lsh"], queue_no=data.get("lhxh"))
