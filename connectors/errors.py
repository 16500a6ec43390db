"""Error codes connectors raise, and the internal signals between their layers.

Diagrams catch connector failures by ``code`` in error boundary events, so the codes here are a
published contract (docs/connectors.md lists them). Everything a connector raises to the engine
is an :class:`~app.engine.operators.OperatorError`; the exceptions defined below only travel
between the HTTP client, the signing schemes and the connectors.
"""

from __future__ import annotations

from app.engine.operators import OperatorError

SOURCE_UNAVAILABLE = "SourceUnavailable"
CIRCUIT_OPEN = "CircuitOpen"
MALFORMED_RESPONSE = "MalformedResponse"
SIGNATURE_REJECTED = "SignatureRejected"
AUTHENTICATION_FAILED = "AuthenticationFailed"
SOURCE_REJECTED = "SourceRejected"
CONNECTOR_MISCONFIGURED = "ConnectorMisconfigured"
INVALID_PARAMETERS = "InvalidParameters"

#: code → (retryable, what it means). The engine retries retryable codes across job attempts.
ERROR_CODES: dict[str, tuple[bool, str]] = {
    SOURCE_UNAVAILABLE: (True, "timeouts, refused connections, HTTP 5xx or 'busy' answers after the in-call retries"),
    CIRCUIT_OPEN: (True, "the source failed repeatedly; calls fail fast until the breaker lets a probe through"),
    MALFORMED_RESPONSE: (True, "the answer was not JSON or lacked the fields the connector needs"),
    SIGNATURE_REJECTED: (False, "the platform refused the request signature (wrong key or secret, clock skew)"),
    AUTHENTICATION_FAILED: (False, "the platform refused the client credentials or token even after a refresh"),
    SOURCE_REJECTED: (False, "the platform refused the request itself (HTTP 4xx or a parameter error code)"),
    CONNECTOR_MISCONFIGURED: (False, "settings are missing or invalid (unknown scheme, no credential)"),
    INVALID_PARAMETERS: (False, "the parameters do not match the operation's parameter schema"),
}
#: code → what a person reads on a page (Chinese; the pages' catalogue holds the English).
ERROR_NAMES: dict[str, str] = {
    SOURCE_UNAVAILABLE: "数据源暂不可用", CIRCUIT_OPEN: "数据源连续故障，已暂停调用",
    MALFORMED_RESPONSE: "数据源返回内容无法识别",
    SIGNATURE_REJECTED: "数据源拒绝了请求签名", AUTHENTICATION_FAILED: "数据源身份认证失败",
    SOURCE_REJECTED: "数据源拒绝了请求", CONNECTOR_MISCONFIGURED: "连接器配置有误",
    INVALID_PARAMETERS: "请求参数不符合要求",
    "NoAnswer": "数据源没有答复",
}


def error_name(code: str | None) -> str:
    """The code as a person reads it; an unknown code as a fault of the source."""
    return ERROR_NAMES.get(code or "NoAnswer", "数据源故障")


def connector_error(code: str, message: str, **details: object) -> OperatorError:
    """An :class:`OperatorError` with ``retryable`` taken from :data:`ERROR_CODES`."""
    retryable = ERROR_CODES[code][0]
    return OperatorError(code, message, retryable=retryable, details=dict(details))


class MalformedAnswer(Exception):
    """The answer could not be read (not JSON, wrong shape, missing fields)."""


class PlatformBusy(Exception):
    """The platform answered, but with a code meaning 'temporarily unable, try again'.

    ``cause`` names it in the error details: ``busy`` for a busy code, ``http_<status>`` when a
    token endpoint answered 5xx.
    """

    def __init__(self, message: str, cause: str = "busy"):
        super().__init__(message)
        self.cause = cause


class PlatformRefused(Exception):
    """The platform answered with a code refusing this request (bad parameter and the like)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class AuthRefused(Exception):
    """A signing scheme's credentials were refused.

    ``kind`` is ``"expired"`` (refresh the token or re-sign and try once more) or
    ``"rejected"`` (a wrong key or secret: do not try again).
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message
