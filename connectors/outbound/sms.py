"""短信网关 SMS gateway: send one templated message to one mobile number.

Platform: an Aliyun-style SMS API behind HMAC-SHA256 signing. ``POST /api/v1/send`` with
``{"PhoneNumbers", "SignName", "TemplateCode", "TemplateParam"}`` (``TemplateParam`` a JSON
string) answers ``{"Code": "OK", "BizId": …}``; ``isv.*`` codes refuse the request
(``SourceRejected``), ``isp.SYSTEM_ERROR`` is retried.
"""

from __future__ import annotations

import json
from typing import Any

from marshmallow import Schema, fields, validate

from connectors.base import Connector, operation, register_connector
from connectors.base.call import Call
from connectors.base.envelope import Envelope
from connectors.base.outbound import ReceiptSchema, receipt


class SendParams(Schema):
    """Parameters of ``sms/send``."""

    phone = fields.String(
        required=True, validate=validate.Regexp(r"^1[3-9]\d{9}$"), metadata={"description": "mobile number"}
    )
    template = fields.String(
        required=True, validate=validate.Length(min=1, max=64), metadata={"description": "template code"}
    )
    params = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata={"description": "template variables"},
    )


@register_connector
class SmsConnector(Connector):
    """短信网关: notifications to applicants."""

    name = "sms"
    title = "短信网关"
    signing = "hmac_sha256"
    sandbox_prefix = "/sms"
    demo_credential = {"app_key": "SMS-DEMO-APP", "app_secret": "2c2d4769758a78fc2e2b797f"}
    envelope = Envelope("Code", ("OK",), "BizId", "Message", busy=("isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY"))
    default_options = {"sign_name": "重庆住房保障"}
    samples = {
        "send": {
            "phone": "13983001001",
            "template": "SUPPLEMENT_NOTICE",
            "params": {"application_no": "GZF2026-000123", "deadline": "2026-12-05"},
        }
    }

    @operation("send", params=SendParams, result=ReceiptSchema, description="send one templated SMS")
    def send(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """Send the message; the receipt id is the gateway's ``BizId``."""
        body = {
            "PhoneNumbers": params["phone"],
            "SignName": self.options["sign_name"],
            "TemplateCode": params["template"],
            "TemplateParam": json.dumps(params["params"], ensure_ascii=False),
        }
        biz_id = call.post("/api/v1/send", body, label="send")
        return receipt(self, call, biz_id, phone=params["phone"], template=params["template"])
