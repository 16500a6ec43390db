"""HMAC-SHA256 request signing (app key, timestamp, nonce, signature headers).

The string to sign is six lines joined by ``\\n``::

    METHOD
    /url/path
    sorted query string (k=v&k=v, may be empty)
    timestamp (milliseconds since the epoch)
    nonce
    hex(SHA256(body))

and ``X-Signature = hex(HMAC-SHA256(app_secret, string_to_sign))``, sent with ``X-App-Key``,
``X-Timestamp`` and ``X-Nonce``. The gateway refuses with HTTP 401 and a JSON code:
``GW4011`` wrong signature, ``GW4012`` timestamp outside the allowed window or nonce replayed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from connectors.signing.base import (
    EXPIRED,
    REJECTED,
    Fetch,
    OutgoingRequest,
    SigningScheme,
    register_scheme,
)

HEADER_APP_KEY = "X-App-Key"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"

REFUSALS = {
    REJECTED: (401, {"code": "GW4011", "msg": "签名校验失败"}),
    EXPIRED: (401, {"code": "GW4012", "msg": "请求时间戳已过期或重复"}),
}


def canonical_query(params: Mapping[str, Any]) -> str:
    """``k=v`` pairs sorted by key and joined with ``&`` (values as sent, not URL-encoded)."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params))


def string_to_sign(method: str, path: str, query: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The canonical request text that is signed."""
    return "\n".join([method.upper(), path, query, timestamp, nonce, hashlib.sha256(body).hexdigest()])


def signature(secret: str, text: str) -> str:
    """``hex(HMAC-SHA256(secret, text))``."""
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def classify_refusal(status: int, body: Any) -> str | None:
    """Tell this gateway's refusals apart from ordinary answers."""
    if status == 401 and isinstance(body, dict):
        if body.get("code") == "GW4012":
            return EXPIRED
        return REJECTED
    return None


@register_scheme
class HmacSha256Scheme(SigningScheme):
    """Stateless: every request carries its own timestamp, nonce and signature."""

    name = "hmac_sha256"
    refusals = REFUSALS
    credential_fields = ("app_key", "app_secret")
    secret_field = "app_secret"

    def sign(self, request: OutgoingRequest, fetch: Fetch) -> None:
        timestamp, nonce = self.stamp()
        text = string_to_sign(
            request.method, request.path, canonical_query(request.params), timestamp, nonce, request.body
        )
        request.headers.update(
            {
                HEADER_APP_KEY: self.credential["app_key"],
                HEADER_TIMESTAMP: timestamp,
                HEADER_NONCE: nonce,
                HEADER_SIGNATURE: signature(self.credential["app_secret"], text),
            }
        )

    classify = staticmethod(classify_refusal)
