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
from typing import Any

from connectors.errors import AuthRefused, MalformedAnswer, PlatformBusy
from connectors.signing.base import (
    EXPIRED,
    REJECTED,
    Fetch,
    OutgoingRequest,
    TokenScheme,
    millis,
    register_scheme,
    token_answer,
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
class Md5TokenScheme(TokenScheme):
    """Holds the current request secret; refreshes it when it ends or is refused."""

    name = "md5_token"
    refusals = REFUSALS
    credential_fields = ("app_key", "app_secret")
    secret_field = "app_secret"

    def fetch_token(self, fetch: Fetch) -> tuple[str, float]:
        """``refreshTokenByKey``: the request secret and its end time."""
        app_key = self.credential["app_key"]
        request_time = millis(self.clock)
        params = {
            "appKey": app_key,
            "requestTime": request_time,
            "sign": md5_sign(app_key, self.credential["app_secret"], request_time),
        }
        body = token_answer(fetch("GET", self.endpoint("token_path", "/refreshTokenByKey"), params=params),
                            "refreshTokenByKey")
        code = str(body.get("code", "")) if isinstance(body, dict) else ""
        if code == CODE_BUSY:
            raise PlatformBusy(f"refreshTokenByKey: {body.get('msg')}")
        if code != CODE_OK:
            raise AuthRefused(REJECTED, f"refreshTokenByKey refused the app key: {code}")
        try:
            return str(body["datas"]["requestSecret"]), int(body["datas"]["requestSecretEndTime"]) / 1000
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedAnswer(f"refreshTokenByKey answer lacks {exc}") from exc

    def sign(self, request: OutgoingRequest, fetch: Fetch) -> None:
        secret = self.token(fetch)
        app_key = self.credential["app_key"]
        request_time = millis(self.clock)
        request.params.update(
            {"appKey": app_key, "requestTime": request_time, "sign": md5_sign(app_key, secret, request_time)}
        )

    classify = staticmethod(classify_refusal)
