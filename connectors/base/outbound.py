"""Outbound connectors: systems we send to (SMS, 公示, 配租). Each answers with a receipt.

Every outbound operation returns::

    {"system": "<connector>", "system_name": "<Chinese name>", "receipt_id": "<id from the system>",
     "accepted_at": "<ISO time>", "details": {<operation-specific>}, "evidence": [<raw answers, masked>]}

Sends are idempotent: each request carries ``X-Idempotency-Key`` derived from the job's key,
and the systems answer a repeated key with the first receipt instead of sending again.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from connectors.base.call import Call
from connectors.base.connector import Connector
from connectors.base.dates import now_iso


class ReceiptSchema(Schema):
    """The result of every outbound operation."""

    system = fields.String(required=True)
    system_name = fields.String(required=True)
    receipt_id = fields.String(required=True, metadata={"description": "the receiving system's id for this send"})
    accepted_at = fields.String(required=True, metadata={"description": "ISO 8601 time"})
    details = fields.Dict(required=True, metadata={"description": "operation-specific extras"})
    evidence = fields.Raw(required=True, metadata={"description": "raw answers, ID and phone numbers masked"})


def receipt(connector: Connector, call: Call, receipt_id: Any, **details: Any) -> dict[str, Any]:
    """Build the result of an outbound operation from the receipt the system gave."""
    return {
        "system": connector.name,
        "system_name": connector.title,
        "receipt_id": str(receipt_id),
        "accepted_at": now_iso(),
        "details": connector.mask_evidence(details),
        "evidence": connector.mask_evidence(call.evidence),
    }
