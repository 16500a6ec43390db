"""国密 signing: an SM3 digest of the body and an SM2 signature over the request.

Headers::

    X-App-Id:       the application id registered with the platform
    X-Timestamp:    milliseconds since the epoch
    X-Nonce:        a random string
    X-Content-SM3:  hex(SM3(body))
    X-Signature:    hex(r || s), SM2 with SM3 (default user id 1234567812345678) over
                    app_id \\n timestamp \\n nonce \\n METHOD \\n /path \\n X-Content-SM3

The platform holds the application's public key and verifies; it refuses with HTTP 403 and
``retCode`` ``E1001`` (signature or digest wrong) or ``E1002`` (timestamp expired, nonce
replayed). SM2/SM3 are computed in C (GmSSL, :mod:`connectors.signing.gm`); keys are hex
strings, the public key being the 128 hex digits of x || y without the ``04`` prefix.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from connectors.signing import gm
from connectors.signing.base import (
    EXPIRED,
    REJECTED,
    Fetch,
    OutgoingRequest,
    SigningScheme,
    register_scheme,
)

HEADER_APP_ID = "X-App-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_DIGEST = "X-Content-SM3"
HEADER_SIGNATURE = "X-Signature"

REFUSALS = {
    REJECTED: (403, {"retCode": "E1001", "retMsg": "SM2验签失败"}),
    EXPIRED: (403, {"retCode": "E1002", "retMsg": "请求已过期"}),
}


def sm3_hex(data: bytes) -> str:
    """``hex(SM3(data))``."""
    return gm.sm3_hex(data)


@lru_cache(maxsize=64)
def public_key_of(private_key: str) -> str:
    """The SM2 public key (x || y, 128 hex digits) for a private key."""
    return gm.derive_public_key(private_key)


def sm2_sign(private_key: str, data: bytes, public_key: str = "", k: str | None = None) -> str:
    """SM2-with-SM3 signature of ``data``; ``k`` (hex) fixes the random value for test vectors."""
    public_key = public_key or public_key_of(private_key)
    if k is not None:
        return gm.sign_with_k(private_key, public_key, data, k)
    return gm.sign(private_key, public_key, data)


def sm2_verify(public_key: str, signature: str, data: bytes) -> bool:
    """Whether ``signature`` is a valid SM2-with-SM3 signature of ``data`` under ``public_key``."""
    return gm.verify(public_key, signature, data)


def string_to_sign(app_id: str, timestamp: str, nonce: str, method: str, path: str, digest: str) -> bytes:
    """The bytes that are signed."""
    return "\n".join([app_id, timestamp, nonce, method.upper(), path, digest]).encode("utf-8")


def classify_refusal(status: int, body: Any) -> str | None:
    """HTTP 403 with E1002 is a stale request; any other 403 with a retCode a bad signature."""
    if status != 403 or not isinstance(body, dict) or "retCode" not in body:
        return None
    return EXPIRED if body.get("retCode") == "E1002" else REJECTED


@register_scheme
class Sm2Sm3Scheme(SigningScheme):
    """Stateless; signs with the application's SM2 private key."""

    name = "sm2_sm3"
    refusals = REFUSALS
    credential_fields = ("app_id", "private_key")
    secret_field = "private_key"

    def sign(self, request: OutgoingRequest, fetch: Fetch) -> None:
        timestamp, nonce = self.stamp()
        digest = sm3_hex(request.body)
        app_id = self.credential["app_id"]
        data = string_to_sign(app_id, timestamp, nonce, request.method, request.path, digest)
        request.headers.update(
            {
                HEADER_APP_ID: app_id,
                HEADER_TIMESTAMP: timestamp,
                HEADER_NONCE: nonce,
                HEADER_DIGEST: digest,
                HEADER_SIGNATURE: sm2_sign(self.credential["private_key"], data, self.credential.get("public_key", "")),
            }
        )

    classify = staticmethod(classify_refusal)
