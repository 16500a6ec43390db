"""The connector base class and the ``@operation`` decorator.

A connector is a class with a name, a Chinese title, a signing scheme, an answer envelope and
one or more operations, each a method decorated with :func:`operation` that names its
marshmallow parameter and result schemas. An instance is built per settings object (see
:mod:`connectors.base.registry`) and holds the pooled HTTP client, the signing scheme with any
cached token, and the circuit breaker of its source.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError

from app.engine.operators import OperatorContext, OperatorError, RetryPolicy, loader
from app.privacy import mask_id_number, mask_tree
from connectors.base.breaker import CircuitBreaker
from connectors.base.call import Call
from connectors.base.config import ConnectorConfig
from connectors.base.credentials import require_fields
from connectors.base.envelope import REST, Envelope
from connectors.base.http import HttpClient
from connectors.errors import (
    CONNECTOR_MISCONFIGURED,
    INVALID_PARAMETERS,
    MALFORMED_RESPONSE,
    connector_error,
)
from connectors.signing import SCHEMES, build_scheme

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OperationSpec:
    """One operation: its name, the method that runs it, its schemas."""

    name: str
    method: str
    params: type[Schema]
    result: type[Schema]
    description: str
    #: the operation only reads from its system: calling it again changes nothing there
    #: (:attr:`app.engine.operators.Operator.query`)
    query: bool = False


def operation(
    name: str, *, params: type[Schema], result: type[Schema], description: str = "", query: bool = False
) -> Callable[[Callable], Callable]:
    """Mark a connector method ``method(self, params, call) -> dict`` as operation ``name``
    (``query``: it only reads from the connector's system)."""

    def mark(method: Callable) -> Callable:
        doc = description or (method.__doc__ or "").strip().split("\n")[0]
        method._operation = OperationSpec(name, method.__name__, params, result, doc,  # type: ignore[attr-defined]
                                          query)
        return method

    return mark


class Connector:
    """Base class of every connector. Subclasses set the class attributes and operations."""

    #: Operator prefix: ``<name>/<operation>``; snake_case, unique.
    name: ClassVar[str] = ""
    #: The system's Chinese name (``source_name`` in results).
    title: ClassVar[str] = ""
    #: Default signing scheme (a key of ``connectors.signing.SCHEMES``).
    signing: ClassVar[str] = "hmac_sha256"
    #: Where the sandbox serves this system, under ``settings.sandbox_url``.
    sandbox_prefix: ClassVar[str] = ""
    envelope: ClassVar[Envelope] = REST
    #: A signed GET here answers an ok envelope when the platform is up (``test_connection``).
    health_path: ClassVar[str] = "/ping"
    #: Defaults of connector-specific options (overridable by the ``options`` setting).
    default_options: ClassVar[Mapping[str, Any]] = {}
    #: The fixed demo credential the sandbox accepts (registered as ``sandbox_<name>``).
    demo_credential: ClassVar[Mapping[str, str]] = {}
    #: Answer keys whose values hold an ID number inside a longer code (masked in evidence).
    mask_keys: ClassVar[frozenset[str]] = frozenset()
    #: How the job runner retries a failed call (long backoff: the in-call retries are short).
    job_retry: ClassVar[RetryPolicy] = RetryPolicy(max_attempts=4, backoff_base=30.0, max_backoff=900.0)
    #: Seconds the job runner allows one operation.
    operation_timeout: ClassVar[float] = 60.0
    #: Sample parameters per operation, for the contract kit and the docs.
    samples: ClassVar[Mapping[str, Mapping[str, Any]]] = {}

    def __init__(self, config: ConnectorConfig, credential: Mapping[str, str], *, sleep=time.sleep):
        scheme_cls = SCHEMES.get(config.scheme)
        if scheme_cls is None:
            raise connector_error(
                CONNECTOR_MISCONFIGURED,
                f"{self.name}: unknown signing scheme {config.scheme!r}; known: {sorted(SCHEMES)}",
            )
        require_fields(config.credential, credential, scheme_cls.credential_fields, production=config.production)
        self.config = config
        self.options: dict[str, Any] = {**self.default_options, **config.options}
        self.scheme = build_scheme(config.scheme, credential, config.scheme_options, config.base_url)
        self.breaker = CircuitBreaker(config.name, config.breaker_threshold, config.breaker_reset)
        self.http = HttpClient(config, self.scheme, self.breaker, sleep=sleep)

    @classmethod
    def operation_specs(cls) -> dict[str, OperationSpec]:
        """Every operation this connector declares, by name."""
        specs: dict[str, OperationSpec] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                spec = getattr(attr, "_operation", None)
                if isinstance(spec, OperationSpec):
                    specs[spec.name] = spec
        return specs

    def run(self, operation_name: str, params: Mapping[str, Any], ctx: OperatorContext | None) -> dict:
        """Validate the declared parameters (dropping any other), run the operation, return its result."""
        spec = self.operation_specs()[operation_name]
        try:
            loaded = loader(spec.params).load(dict(params or {}))
        except ValidationError as exc:
            raise connector_error(
                INVALID_PARAMETERS,
                f"{self.name}/{operation_name}: invalid parameters: {exc.messages}",
                errors=exc.messages,
            ) from exc
        call = Call(self, ctx or OperatorContext(idempotency_key=uuid.uuid4().hex))
        try:
            return getattr(self, spec.method)(loaded, call)
        except OperatorError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            log.warning("%s/%s: unreadable answer: %r", self.name, operation_name, exc)
            raise connector_error(
                MALFORMED_RESPONSE,
                f"{self.name}/{operation_name}: the answer lacks what the connector needs "
                f"({type(exc).__name__}: {exc})",
                cause="malformed",
            ) from exc

    def mask_evidence(self, value: Any) -> Any:
        """A copy of raw answers with ID numbers and phone numbers masked (also inside codes)."""
        return mask_tree(self._mask_keys(value))

    def _mask_keys(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (_mask_code(v) if k in self.mask_keys and isinstance(v, str) else self._mask_keys(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._mask_keys(v) for v in value]
        return value

    def test_connection(self) -> tuple[bool, str]:
        """``(True, "公安户籍响应正常，用时 12 毫秒")`` or ``(False, reason)``; never raises."""
        started = time.monotonic()
        try:
            call = Call(self, OperatorContext(idempotency_key=f"health-{uuid.uuid4().hex}"))
            call.get(self.health_path, label="health")
        except OperatorError as exc:
            return False, f"{self.title} ({self.name}): {exc.code}: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            return False, f"{self.title} ({self.name}): {type(exc).__name__}: {exc}"
        elapsed = (time.monotonic() - started) * 1000
        return True, f"{self.title}响应正常，用时 {elapsed:.0f} 毫秒"


def _mask_code(value: str) -> str:
    """Mask a code that embeds an ID number (a 残疾人证号 is the ID number plus two digits)."""
    if len(value) > 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return mask_id_number(value) or value
