"""Zhejiang-style MD5 signing with a refreshed request secret.

1. ``GET <base>/refreshTokenByKey?appKey=…&requestTime=…&sign=MD5(appKey+appSecret+requestTime)``
   answers ``{"code": "00", "datas": {"requestSecret": …, "requestSecretEndTime": <ms>}}``.
2. Every data call carries the query parameters ``appKey``, ``requestTime`` (milliseconds) and
   ``sign = MD5(appKey + requestSecret + requestTime)`` (lower-case hex).

The request secret is cached until shortly before its end time and fetched again then, or at
once when a call is answered with code ``97`` (request secret invalid or expired). Answer
codes: ``00`` ok, ``96`` parameter error, ``97`` request secret invalid, ``98`` signature
wrong, ``99`` system busy.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from connectors.errors import AuthRefused, MalformedAnswer, PlatformBusy
from connectors.signing.base import (
    EXPIRED,
    REJECTED,
    Fetch,
    OutgoingRequest,
    SigningScheme,
    json_body,
    millis,
    register_scheme,
)

CODE_OK = "00"
CODE_BAD_PARAMETER = "96"
CODE_SECRET_INVALID = "97"
CODE_SIGN_WRONG = "98"
CODE_BUSY = "99"

REFUSALS = {
    REJECTED: (200, {"code": CODE_SIGN_WRONG, "msg": "签名错误", "datas": None}),
    EXPIRED: (200, {"code": CODE_SECRET_INVALID, "msg": "请求秘钥已失效，请重新获取", "datas": None}),
}


def md5_sign(app_key: str, secret: str, request_time: str) -> str:
    """``MD5(appKey + secret + requestTime)`` as lower-case hex."""
    return hashlib.md5(f"{app_key}{secret}{request_time}".encode()).hexdigest()


def classify_refusal(status: int, body: Any) -> str | None:
    """Codes 97 and 98 are the gateway refusing us; every other answer is ordinary."""
    if isinstance(body, dict):
        code = str(body.get("code", ""))
        if code == CODE_SECRET_INVALID:
            return EXPIRED
        if code == CODE_SIGN_WRONG:
            return REJECTED
    return None


@register_scheme
class Md5TokenScheme(SigningScheme):
    """Holds the current request secret; refreshes it when it ends or is refused."""

    name = "md5_token"
    refusals = REFUSALS
    credential_fields = ("app_key", "app_secret")
    secret_field = "app_secret"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._secret: str | None = None
        self._secret_ends_ms = 0

    def _request_secret(self, fetch: Fetch) -> str:
        margin_ms = int(float(self.options.get("refresh_margin", 60)) * 1000)
        with self._lock:
            now_ms = int(self.clock() * 1000)
            if self._secret and now_ms < self._secret_ends_ms - margin_ms:
                return self._secret
            app_key = self.credential["app_key"]
            request_time = millis(self.clock)
            response = fetch(
                "GET",
                self.endpoint("token_path", "/refreshTokenByKey"),
                params={
                    "appKey": app_key,
                    "requestTime": request_time,
                    "sign": md5_sign(app_key, self.credential["app_secret"], request_time),
                },
            )
            body = json_body(response)
            if response.status_code >= 500:
                raise PlatformBusy(f"refreshTokenByKey answered HTTP {response.status_code}")
            if not isinstance(body, dict):
                raise MalformedAnswer("refreshTokenByKey did not answer JSON")
            code = str(body.get("code", ""))
            if code == CODE_BUSY:
                raise PlatformBusy(f"refreshTokenByKey: {body.get('msg')}")
            if code != CODE_OK:
                raise AuthRefused(REJECTED, f"refreshTokenByKey refused the app key: {code} {body.get('msg')}")
            try:
                datas = body["datas"]
                self._secret = str(datas["requestSecret"])
                self._secret_ends_ms = int(datas["requestSecretEndTime"])
            except (KeyError, TypeError, ValueError) as exc:
                raise MalformedAnswer(f"refreshTokenByKey answer lacks {exc}") from exc
            return self._secret

    def sign(self, request: OutgoingRequest, fetch: Fetch) -> None:
        secret = self._request_secret(fetch)
        app_key = self.credential["app_key"]
        request_time = millis(self.clock)
        request.params.update(
            {"appKey": app_key, "requestTime": request_time, "sign": md5_sign(app_key, secret, request_time)}
        )

    def classify(self, status: int, body: Any) -> str | None:
        return classify_refusal(status, body)

    def invalidate(self) -> None:
        with self._lock:
            self._secret = None
            self._secret_ends_ms = 0
