"""Signing a lease as the tenant does: ask for the SMS code, read it from the sandbox's SMS
gateway log (as the phone would receive it), and submit it."""

from __future__ import annotations

import json

from app.contracts import signing
from app.services import task_service

LOG_SOURCE = "sms"


def last_code(admin, phone: str | None = None) -> str:
    """The code in the last signing SMS the sandbox gateway received (to ``phone`` when given)."""
    for request in reversed(admin.requests(LOG_SOURCE)):
        body = request.get("body") or {}
        if isinstance(body, dict) and body.get("TemplateCode") == signing.SMS_TEMPLATE:
            if phone is None or body.get("PhoneNumbers") == phone:
                return json.loads(body["TemplateParam"])["code"]
    raise AssertionError("no signing code reached the SMS gateway")


def sign(identity, task_id: str, admin) -> dict:
    """Send a code to the tenant and complete the signing task with it."""
    signing.send_code(identity, task_id)
    return task_service.complete(identity, task_id, {"agree": True, "sms_code": last_code(admin)})
