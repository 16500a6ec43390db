"""Guangdong "TIF" gateway headers (also used by the national 医保 public services).

Every request carries::

    x-tif-paasid:    the application's PaaS id
    x-tif-timestamp: seconds since the epoch
    x-tif-nonce:     a random string
    x-tif-signature: hex(SHA256(timestamp + paas_token + nonce + timestamp))

The gateway refuses with HTTP 401 and ``errcode`` ``20001`` (signature wrong) or ``20002``
(timestamp outside the allowed window, or nonce replayed).
"""

from __future__ import annotations

import hashlib
from typing import Any

from connectors.signing.base import (
    EXPIRED,
    REJECTED,
    Fetch,
    OutgoingRequest,
    SigningScheme,
    register_scheme,
)

HEADER_PAAS_ID = "x-tif-paasid"
HEADER_TIMESTAMP = "x-tif-timestamp"
HEADER_NONCE = "x-tif-nonce"
HEADER_SIGNATURE = "x-tif-signature"

ERR_SIGNATURE = 20001
ERR_TIMESTAMP = 20002

REFUSALS = {
    REJECTED: (401, {"errcode": ERR_SIGNATURE, "errmsg": "签名校验失败"}),
    EXPIRED: (401, {"errcode": ERR_TIMESTAMP, "errmsg": "时间戳已失效"}),
}


def tif_signature(timestamp: str, token: str, nonce: str) -> str:
    """``hex(SHA256(timestamp + token + nonce + timestamp))``."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


def classify_refusal(status: int, body: Any) -> str | None:
    """HTTP 401 with errcode 20002 is a stale timestamp; any other 401 a wrong signature."""
    if status != 401:
        return None
    if isinstance(body, dict) and body.get("errcode") == ERR_TIMESTAMP:
        return EXPIRED
    return REJECTED


@register_scheme
class TifScheme(SigningScheme):
    """Stateless: the PaaS token is a static secret mixed into each signature."""

    name = "tif"
    refusals = REFUSALS
    credential_fields = ("paas_id", "paas_token")
    secret_field = "paas_token"

    def sign(self, request: OutgoingRequest, fetch: Fetch) -> None:
        timestamp, nonce = self.stamp(seconds=True)
        request.headers.update(
            {
                HEADER_PAAS_ID: self.credential["paas_id"],
                HEADER_TIMESTAMP: timestamp,
                HEADER_NONCE: nonce,
                HEADER_SIGNATURE: tif_signature(timestamp, self.credential["paas_token"], nonce),
            }
        )

    classify = staticmethod(classify_refusal)
