"""The HTTP client every connector shares: pooling, signing, timeouts, retries, the breaker.

One pooled ``requests`` session per connector instance. Each request is signed afresh, sent
with a connect and a read timeout (never longer than what is left of the operation's
deadline), and on a transient failure — timeout, refused connection, HTTP 5xx, a "busy" code,
a body that cannot be read — retried ``retries`` times after an exponential backoff with
jitter. Then it raises ``SourceUnavailable`` (or ``MalformedResponse``), both retryable by the
job runner. An "expired" refusal (stale timestamp, expired token) is answered by one
re-sign / token refresh; a refused signature raises ``SignatureRejected`` (or
``AuthenticationFailed``) at once, never retried. A token endpoint (``md5_token``, ``oauth2``)
that times out, answers 5xx or an unreadable body is retried the same way; the final error then
carries ``stage: "token"`` in its details.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from connectors.base.breaker import CircuitBreaker
from connectors.base.config import ConnectorConfig
from connectors.errors import (
    MALFORMED_RESPONSE,
    SOURCE_REJECTED,
    SOURCE_UNAVAILABLE,
    AuthRefused,
    MalformedAnswer,
    PlatformBusy,
    PlatformRefused,
    connector_error,
)
from connectors.signing.base import EXPIRED, OutgoingRequest, SigningScheme, json_body

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "X-Idempotency-Key"
REQUEST_ID_HEADER = "X-Request-Id"

#: ``unwrap(answer) -> payload``: reads a platform envelope; raises the errors in ``errors``.
Unwrap = Callable[[Any], Any]


class _Transient(Exception):
    """A failure worth another attempt; ``cause`` says which, ``stage`` where (``token`` or ``request``)."""

    def __init__(self, cause: str, detail: str, stage: str = "request"):
        super().__init__(detail)
        self.cause = cause
        self.detail = detail
        self.stage = stage


class HttpClient:
    """Sends one connector's requests. Thread-safe; shared by the calls of one connector."""

    def __init__(
        self,
        config: ConnectorConfig,
        scheme: SigningScheme,
        breaker: CircuitBreaker,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ):
        self.config = config
        self.scheme = scheme
        self.breaker = breaker
        self._sleep = sleep
        self._random = rng  # uniform in [0, 1): the backoff's jitter
        self.session = requests.Session()
        self.session.trust_env = False  # proxies come from settings, not from the environment
        proxy = config.options.get("proxy")
        if proxy:
            self.session.proxies = {"http": proxy, "https": proxy}
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=config.pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": f"housing-approval-connector/{config.name}"}
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def _timeouts(self, remaining: float) -> tuple[float, float]:
        cap = max(0.001, remaining)
        return (min(self.config.connect_timeout, cap), min(self.config.timeout, cap))

    def fetch(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """An unsigned request with the connector's session, timeouts and extra headers (token endpoints)."""
        kwargs.setdefault("timeout", self._timeouts(self.config.timeout))
        if self.config.extra_headers:
            kwargs["headers"] = {**self.config.extra_headers, **(kwargs.get("headers") or {})}
        return self.session.request(method, url, **kwargs)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt``: exponential, capped, jittered ±50 %."""
        base = min(self.config.backoff_cap, self.config.backoff * (2 ** (attempt - 1)))
        return base * (0.5 + self._random())

    def exchange(
        self,
        method: str,
        path: str,
        *,
        unwrap: Unwrap,
        deadline: float,
        idempotency_key: str,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> tuple[Any, Any]:
        """Send, retrying transient failures; return ``(payload, raw_answer)``."""
        url = self.config.base_url + path
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode() if body is not None else b""
        headers = {IDEMPOTENCY_HEADER: idempotency_key, **self.config.extra_headers}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        attempt = 0
        resigned = False
        while True:
            attempt += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise connector_error(
                    SOURCE_UNAVAILABLE, f"{self.config.name}: operation deadline passed", cause="deadline"
                )
            self.breaker.before_request()
            request = OutgoingRequest(method, url, dict(params or {}), dict(headers), data)
            request.headers[REQUEST_ID_HEADER] = uuid.uuid4().hex
            try:
                return self._attempt(request, unwrap, remaining)
            except AuthRefused as exc:
                self.breaker.record_success()
                if exc.kind == EXPIRED and not resigned:
                    resigned = True
                    attempt -= 1
                    self.scheme.invalidate()
                    continue
                raise connector_error(
                    self.scheme.rejected_code,
                    f"{self.config.name}: the platform refused our {self.scheme.name} credentials: {exc.message}",
                    scheme=self.scheme.name,
                    credential=self.config.credential,
                ) from None
            except _Transient as exc:
                self.breaker.record_failure()
                log.warning("%s %s attempt %d failed: %s", self.config.name, path, attempt, exc.detail)
                if attempt > self.config.retries:
                    code = MALFORMED_RESPONSE if exc.cause == "malformed" else SOURCE_UNAVAILABLE
                    where = {"stage": "token"} if exc.stage == "token" else {}
                    raise connector_error(
                        code,
                        f"{self.config.name}: {exc.detail} (after {attempt} attempts)",
                        cause=exc.cause,
                        attempts=attempt,
                        **where,
                    ) from None
                self._sleep(min(self.backoff(attempt), max(0.0, deadline - time.monotonic())))

    def _attempt(self, request: OutgoingRequest, unwrap: Unwrap, remaining: float) -> tuple[Any, Any]:
        """One signed request; translates every outcome into a return value or an exception."""
        self._sign(request, remaining)
        try:
            response = self._send(request, self._timeouts(remaining))
        except requests.Timeout as exc:
            raise _Transient("timeout", f"no answer within the timeout ({type(exc).__name__})") from None
        except requests.RequestException as exc:
            raise _Transient("connection", f"transport error: {type(exc).__name__}") from None
        raw = json_body(response)
        refusal = self.scheme.classify(response.status_code, raw)
        if refusal is not None:
            raise AuthRefused(refusal, _describe(response, raw))
        if response.status_code >= 500:
            raise _Transient(f"http_{response.status_code}", f"HTTP {response.status_code}")
        if response.status_code >= 400:
            self.breaker.record_success()
            raise connector_error(
                SOURCE_REJECTED,
                f"{self.config.name}: the platform refused the request: {_describe(response, raw)}",
                status=response.status_code,
            )
        if raw is None:
            raise _Transient("malformed", "the answer is not JSON")
        try:
            payload = unwrap(raw)
        except PlatformBusy as exc:
            raise _Transient("busy", f"platform busy: {exc}") from None
        except PlatformRefused as exc:
            self.breaker.record_success()
            raise connector_error(
                SOURCE_REJECTED, f"{self.config.name}: the platform refused the request: {exc}", platform_code=exc.code
            ) from None
        except (MalformedAnswer, KeyError, TypeError, ValueError) as exc:
            raise _Transient("malformed", f"unreadable answer: {exc}") from None
        self.breaker.record_success()
        return payload, raw

    def _send(self, request: OutgoingRequest, timeout: tuple[float, float]) -> requests.Response:
        """``Session.request`` with the request prepared once, as requests' "prepared requests" do.

        ``Session.request`` merges every setting of the session into each request again, through
        ``isinstance`` checks against runtime-checkable protocols, which Python 3.11 does not cache:
        that merging took as long as the rest of the preparation. The session's headers (the
        request's own win, as there) and its cookies go in here, and ``Session.send`` adds its
        proxies, TLS settings and redirects as before.
        """
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=request.method,
            url=request.url,
            headers={**self.session.headers, **request.headers},
            data=request.body or None,
            params=request.params or None,
            cookies=self.session.cookies,
        )
        return self.session.send(prepared, timeout=timeout)

    def _sign(self, request: OutgoingRequest, remaining: float) -> None:
        """Sign ``request``, fetching a token first when the scheme needs one."""
        try:
            self.scheme.sign(request, lambda m, u, **kw: self.fetch(m, u, timeout=self._timeouts(remaining), **kw))
        except requests.Timeout as exc:
            raise _Transient("timeout", f"token endpoint: no answer within the timeout ({type(exc).__name__})",
                             "token") from None
        except requests.RequestException as exc:
            raise _Transient("connection", f"token endpoint: transport error: {type(exc).__name__}", "token") from None
        except PlatformBusy as exc:
            raise _Transient(exc.cause, f"token endpoint: {exc}", "token") from None
        except MalformedAnswer as exc:
            raise _Transient("malformed", f"token endpoint: {exc}", "token") from None


def _describe(response: requests.Response, raw: Any) -> str:
    if isinstance(raw, dict):
        return f"HTTP {response.status_code} {json.dumps(raw, ensure_ascii=False)[:200]}"
    return f"HTTP {response.status_code}"
