"""Fault injection: what a faulty platform does to a request.

A fault comes from the ``X-Sandbox-Fault`` request header (``5xx``, ``timeout``,
``latency;seconds=0.3``, ``5xx;scope=token`` …), or from the faults queued for the system by
configuration or ``POST /__sandbox/faults``. The header wins. A fault's scope says which
requests it hits: ``data`` (data routes and ``/ping``, the default), ``token`` (the scheme's
token endpoint) or ``all``.

* ``latency`` — answer normally after ``seconds`` (default ``latency_seconds``);
* ``timeout`` — hold the answer for ``seconds`` (default ``hang_seconds``), then answer;
* ``5xx`` — HTTP 503 with an HTML error page, as a reverse proxy in front of a dead service;
* ``malformed`` — HTTP 200 with a JSON body cut off in the middle;
* ``bad_signature`` — the scheme's refusal of a wrong signature;
* ``expired_token`` — the scheme's "expired" refusal; issued tokens of the system are revoked.
"""

from __future__ import annotations

from connectors.sandbox.registry import SandboxRequest
from connectors.sandbox.state import FAULTS, SCOPES, Fault
from connectors.signing import EXPIRED, REJECTED, SCHEMES

HEADER = "X-Sandbox-Fault"

UNAVAILABLE_PAGE = (
    "<html><head><title>503 Service Temporarily Unavailable</title></head>"
    "<body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>"
)
TRUNCATED_JSON = '{"code": "0000", "msg": "成功", "data": {"records": [{"sfzh": "5001'

#: ``(status, body, content type)``
Answer = tuple[int, object, str]


def parse_header(value: str | None) -> Fault | None:
    """``"latency;seconds=0.3;scope=token"`` → ``Fault("latency", 1, 0.3, "token")``; unknown
    fault names and scopes are ignored."""
    if not value:
        return None
    name, _, rest = value.strip().partition(";")
    name = name.strip()
    if name not in FAULTS:
        return None
    seconds, scope = None, "data"
    for part in rest.split(";"):
        key, _, raw = part.partition("=")
        if key.strip() == "seconds":
            try:
                seconds = float(raw)
            except ValueError:
                seconds = None
        elif key.strip() == "scope" and raw.strip() in SCOPES:
            scope = raw.strip()
    return Fault(name, 1, seconds, scope)


def apply(fault: Fault, req: SandboxRequest) -> Answer | None:
    """Act out ``fault``; an answer to send instead of the real one, or ``None`` to go on."""
    state = req.state
    if fault.fault == "latency":
        state.stop.wait(fault.seconds if fault.seconds is not None else state.config.latency_seconds)
        return None
    if fault.fault == "timeout":
        state.stop.wait(fault.seconds if fault.seconds is not None else state.config.hang_seconds)
        return None
    if fault.fault == "5xx":
        return 503, UNAVAILABLE_PAGE, "text/html; charset=utf-8"
    if fault.fault == "malformed":
        return 200, TRUNCATED_JSON, "application/json; charset=utf-8"
    refusals = SCHEMES[req.system.scheme].refusals
    if fault.fault == "expired_token":
        state.revoke_tokens(req.system.name)
        status, body = refusals[EXPIRED]
    else:
        status, body = refusals[REJECTED]
    return status, body, "application/json; charset=utf-8"
