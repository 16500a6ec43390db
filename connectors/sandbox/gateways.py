"""The platforms' gateways: verify each scheme's signature, issue tokens, refuse like the real ones.

Verification uses the same pure functions the connectors sign with (``connectors.signing.*``),
against the system's demo credential. :func:`verify` returns ``None`` for a good request, or
``"rejected"`` / ``"expired"``; the server answers those with the scheme's own refusal body.
Token endpoints (``/refreshTokenByKey`` for ``md5_token``, ``/oauth/token`` for ``oauth2``)
are served here, before any route of the system.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from collections.abc import Callable

from connectors.sandbox.registry import SandboxRequest
from connectors.signing import EXPIRED, REJECTED, hmac_sha256, md5_token, sm2_sm3, tif

Verdict = str | None


def _fresh(req: SandboxRequest, seconds: float) -> bool:
    return abs(time.time() - seconds) <= req.state.config.clock_skew


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _replay_or_stale(req: SandboxRequest, stamp_seconds: float, nonce: str) -> Verdict:
    if not _fresh(req, stamp_seconds) or not req.state.fresh_nonce(req.system.name, nonce):
        return EXPIRED
    return None


def verify_hmac(req: SandboxRequest) -> Verdict:
    """``hmac_sha256``: app key, timestamp (ms), nonce, HMAC over the canonical request."""
    h, cred = req.headers, req.system.credential
    key, stamp, nonce, sig = (h.get(n) for n in ("X-App-Key", "X-Timestamp", "X-Nonce", "X-Signature"))
    millis = _number(stamp)
    if not (key and nonce and sig) or millis is None or key != cred["app_key"]:
        return REJECTED
    text = hmac_sha256.string_to_sign(
        req.method, req.path, hmac_sha256.canonical_query(req.args), stamp, nonce, req.body
    )
    if not hmac.compare_digest(hmac_sha256.signature(cred["app_secret"], text), sig):
        return REJECTED
    return _replay_or_stale(req, millis / 1000, nonce)


def verify_tif(req: SandboxRequest) -> Verdict:
    """``tif``: paas id, timestamp (s), nonce, SHA-256 signature with the PaaS token."""
    h, cred = req.headers, req.system.credential
    paas, stamp, nonce, sig = (
        h.get(n) for n in (tif.HEADER_PAAS_ID, tif.HEADER_TIMESTAMP, tif.HEADER_NONCE, tif.HEADER_SIGNATURE)
    )
    seconds = _number(stamp)
    if not (paas and nonce and sig) or seconds is None or paas != cred["paas_id"]:
        return REJECTED
    if not hmac.compare_digest(tif.tif_signature(stamp, cred["paas_token"], nonce), sig.lower()):
        return REJECTED
    return _replay_or_stale(req, seconds, nonce)


def verify_sm2(req: SandboxRequest) -> Verdict:
    """``sm2_sm3``: body digest must match, SM2 signature verified with the app's public key."""
    h, cred = req.headers, req.system.credential
    app_id, stamp, nonce, digest, sig = (
        h.get(n)
        for n in (
            sm2_sm3.HEADER_APP_ID,
            sm2_sm3.HEADER_TIMESTAMP,
            sm2_sm3.HEADER_NONCE,
            sm2_sm3.HEADER_DIGEST,
            sm2_sm3.HEADER_SIGNATURE,
        )
    )
    millis = _number(stamp)
    if not (app_id and nonce and digest and sig) or millis is None or app_id != cred["app_id"]:
        return REJECTED
    if digest.lower() != sm2_sm3.sm3_hex(req.body):
        return REJECTED
    data = sm2_sm3.string_to_sign(app_id, stamp, nonce, req.method, req.path, digest)
    if not sm2_sm3.sm2_verify(cred["public_key"], sig, data):
        return REJECTED
    return _replay_or_stale(req, millis / 1000, nonce)


def verify_md5(req: SandboxRequest) -> Verdict:
    """``md5_token``: ``sign = MD5(appKey + requestSecret + requestTime)`` with an issued secret."""
    app_key, request_time, sign = (req.args.get(n) for n in ("appKey", "requestTime", "sign"))
    if not (app_key and request_time and sign) or app_key != req.system.credential["app_key"]:
        return REJECTED
    for secret in req.state.known_tokens(req.system.name):
        if hmac.compare_digest(md5_token.md5_sign(app_key, secret, request_time), sign):
            return None if req.state.token_status(req.system.name, secret) == "live" else EXPIRED
    return EXPIRED if not req.state.live_tokens(req.system.name) else REJECTED


def verify_oauth2(req: SandboxRequest) -> Verdict:
    """``oauth2``: a live bearer token issued by this system's token endpoint."""
    auth = req.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return REJECTED
    return None if req.state.token_status(req.system.name, auth[7:]) == "live" else EXPIRED


VERIFIERS: dict[str, Callable[[SandboxRequest], Verdict]] = {
    "hmac_sha256": verify_hmac,
    "tif": verify_tif,
    "sm2_sm3": verify_sm2,
    "md5_token": verify_md5,
    "oauth2": verify_oauth2,
}


def verify(req: SandboxRequest) -> Verdict:
    """Check the request against its system's scheme."""
    return VERIFIERS[req.system.scheme](req)


def is_token_request(req: SandboxRequest) -> bool:
    """Whether ``req`` asks its system's token endpoint for a token."""
    scheme = req.system.scheme
    if scheme == "md5_token":
        return req.route == "/refreshTokenByKey"
    return scheme == "oauth2" and req.route == "/oauth/token" and req.method == "POST"


def token_endpoint(req: SandboxRequest) -> tuple[int, dict] | None:
    """Answer a token request if ``req`` is one for its system's scheme, else ``None``."""
    if not is_token_request(req):
        return None
    return _md5_refresh(req) if req.system.scheme == "md5_token" else _oauth2_token(req)


def _md5_refresh(req: SandboxRequest) -> tuple[int, dict]:
    cred = req.system.credential
    app_key, request_time, sign = (req.args.get(n) for n in ("appKey", "requestTime", "sign"))
    expected = md5_token.md5_sign(cred["app_key"], cred["app_secret"], request_time or "")
    if app_key != cred["app_key"] or not sign or not hmac.compare_digest(expected, sign):
        return md5_token.REFUSALS[REJECTED]
    secret = secrets.token_hex(16)
    expires = req.state.issue_token(req.system.name, secret)
    datas = {
        "requestSecret": secret,
        "requestSecretEndTime": int(expires * 1000),
        "refreshSecret": secrets.token_hex(16),
        "refreshSecretEndTime": int((expires + 86400) * 1000),
    }
    return 200, {"code": md5_token.CODE_OK, "msg": "成功", "datas": datas}


def _oauth2_token(req: SandboxRequest) -> tuple[int, dict]:
    cred = req.system.credential
    auth = req.headers.get("Authorization", "")
    try:
        client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        client_id = client_secret = ""
    form = req.form
    if form.get("grant_type") != "client_credentials":
        return 400, {"error": "unsupported_grant_type"}
    if (
        not auth.startswith("Basic ")
        or client_id != cred["client_id"]
        or not hmac.compare_digest(client_secret, cred["client_secret"])
    ):
        return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}
    token = secrets.token_urlsafe(24)
    req.state.issue_token(req.system.name, token)
    return 200, {"access_token": token, "token_type": "Bearer", "expires_in": int(req.state.config.token_ttl)}
