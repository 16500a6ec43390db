"""The operator registry: binds `<connector>/<operation>` names to Python callables.

Every BPMN service task names an operator in
``<spiffworkflow:serviceTaskOperator id="<connector>/<operation>">``. Connectors (``connectors/``)
and internal handlers (``handlers/``) register their operations here; the engine validates at
deploy time that every operator a diagram names exists and receives the parameters it declares,
and the job runner calls the operator later, on a worker — except an ``inline`` operator, which
a background step that reaches its task runs at once, in the step's own transaction, and a
``query`` operation, which such a step calls at once while it holds the instance (see ``inline``
and ``query`` below).

An operator is a callable ``func(params: dict, ctx: OperatorContext) -> dict``. It receives only
the parameters its schema declares (already validated and deserialised) and returns a
JSON-serialisable dict that becomes the task's result variable.

Failures are reported by raising:

* :class:`OperatorError` with ``retryable=True`` (the default) for transient faults (timeouts,
  5xx, an open circuit): the job is retried with exponential backoff; after the last attempt
  the failure is raised into the diagram as a BPMN error with ``code`` (caught by a matching
  error boundary event) or, without one, becomes an incident an operator can retry;
* :class:`OperatorError` with ``retryable=False`` for a permanent fault (bad parameters,
  refused signature): no retries, straight to the boundary event or an incident;
* :class:`BpmnError` for a business outcome the diagram should route (for example
  ``PersonNotFound``): never retried, always thrown into the diagram.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

#: Packages scanned for operator modules. Importing a module registers its operators.
OPERATOR_PACKAGES = ("connectors", "handlers")


class OperatorError(Exception):
    """An operator failed. ``code`` is what an error boundary event matches on."""

    def __init__(self, code: str, message: str, *, retryable: bool = True, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.details = details or {}


class BpmnError(OperatorError):
    """A business error to be thrown into the diagram at once (never retried)."""

    def __init__(self, code: str, message: str, *, details: dict | None = None):
        super().__init__(code, message, retryable=False, details=details)


class UnknownOperatorError(LookupError):
    """No operator is registered under the name."""


class DuplicateOperatorError(ValueError):
    """Two operators were registered under one name."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a job is retried.

    The delay before attempt ``n+1`` is ``backoff_base * 2 ** (n - 1)`` seconds, capped at
    ``max_backoff``, with up to 20 % random jitter added by the job runner.
    """

    max_attempts: int = 3
    backoff_base: float = 2.0
    max_backoff: float = 300.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based), before jitter."""
        return min(self.max_backoff, self.backoff_base * (2 ** max(0, attempt - 1)))


@dataclass
class OperatorContext:
    """What an operator may know about the call besides its parameters."""

    idempotency_key: str
    instance_id: str = ""
    business_key: str | None = None
    task_id: str = ""
    task_bpmn_id: str = ""
    attempt: int = 1
    settings: Any = None
    extra: dict = field(default_factory=dict)


OperatorFunc = Callable[[dict, OperatorContext], dict]


@functools.cache
def loader(schema: type[Schema]) -> Schema:
    """One shared instance of ``schema`` that drops unknown keys, for loading (a marshmallow schema
    keeps no state between loads; building one per call was a tenth of a worker's CPU)."""
    return schema(unknown=EXCLUDE)


@dataclass(frozen=True)
class Operator:
    """One callable operation a service task can bind to."""

    name: str
    func: OperatorFunc
    params_schema: type[Schema] | None = None
    result_schema: type[Schema] | None = None
    description: str = ""
    kind: str = "handler"  # "connector" | "handler"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 30.0
    #: An internal handler that calls nothing outside this database and is quick (a record
    #: written, a score computed): a step no person waits for (a job's resume, a timer) that
    #: reaches its task runs it at once, in the step's transaction (``ctx.extra["session"]``,
    #: inside a savepoint), instead of handing it to a worker — no claim, transaction of its own
    #: or resume. Should it fail, its savepoint is rolled back and the task becomes an ordinary
    #: job (retries, boundary events, incidents as for any other). ADR 0023.
    inline: bool = False
    #: A connector operation that only reads from its system (a data source's check): calling
    #: it again changes nothing there. A background step that reaches its task calls it at once,
    #: side by side with the step's other such calls, while it holds the instance, and applies
    #: the answer in the same step; the call is written as a job with its one attempt. A failure
    #: that may be retried leaves that job pending for the workers' retries. ADR 0025.
    query: bool = False
    #: Set by connectors: the connector's ``test_connection`` for the admin health page.
    health_check: Callable[[], tuple[bool, str]] | None = None

    def required_params(self) -> list[str]:
        """Names of parameters a diagram must supply."""
        if self.params_schema is None:
            return []
        return [n for n, f in self.params_schema().fields.items() if f.required]

    def declared_params(self) -> list[str] | None:
        """Names of every declared parameter, or None when the operator accepts anything."""
        if self.params_schema is None:
            return None
        return list(self.params_schema().fields)

    def load_params(self, raw: Mapping[str, Any]) -> dict:
        """Validate and keep only the declared parameters (raises ``OperatorError``)."""
        if self.params_schema is None:
            return dict(raw)
        try:
            return loader(self.params_schema).load(dict(raw))
        except ValidationError as exc:
            raise OperatorError(
                "InvalidParameters",
                f"{self.name}: invalid parameters: {exc.messages}",
                retryable=False,
                details={"errors": exc.messages},
            ) from exc

    def describe(self) -> dict:
        """A JSON description for ``GET /api/v1/operators`` and the modeler."""
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "parameters": schema_to_json(self.params_schema),
            "result": schema_to_json(self.result_schema),
            "retry": {
                "max_attempts": self.retry.max_attempts,
                "backoff_base": self.retry.backoff_base,
            },
            "timeout": self.timeout,
            "inline": self.inline,
            "query": self.query,
        }


class OperatorRegistry:
    """Name → :class:`Operator`. A duplicate name fails loudly."""

    def __init__(self) -> None:
        self._operators: dict[str, Operator] = {}
        self._lock = threading.Lock()

    def register(self, op: Operator) -> Operator:
        """Add an operator; raises :class:`DuplicateOperatorError` if the name is taken."""
        if "/" not in op.name:
            raise ValueError(f"operator name {op.name!r} must look like '<connector>/<operation>'")
        with self._lock:
            existing = self._operators.get(op.name)
            if existing is not None and existing.func is not op.func:
                raise DuplicateOperatorError(f"operator {op.name!r} is registered twice")
            self._operators[op.name] = op
        return op

    def unregister(self, name: str) -> None:
        """Remove an operator (tests use this to undo a registration)."""
        with self._lock:
            self._operators.pop(name, None)

    def get(self, name: str) -> Operator:
        """The operator called ``name``; raises :class:`UnknownOperatorError`."""
        try:
            return self._operators[name]
        except KeyError:
            raise UnknownOperatorError(f"no operator is registered as {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._operators

    def all(self) -> list[Operator]:
        """Every operator, sorted by name."""
        return sorted(self._operators.values(), key=lambda o: o.name)

    def operator(
        self,
        name: str,
        *,
        params: type[Schema] | None = None,
        result: type[Schema] | None = None,
        description: str = "",
        kind: str = "handler",
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        inline: bool = False,
        query: bool = False,
    ) -> Callable[[OperatorFunc], OperatorFunc]:
        """Decorator registering a function as an operator."""

        def decorate(func: OperatorFunc) -> OperatorFunc:
            self.register(
                Operator(
                    name=name,
                    func=func,
                    params_schema=params,
                    result_schema=result,
                    description=description or (func.__doc__ or "").strip().split("\n")[0],
                    kind=kind,
                    retry=retry or RetryPolicy(),
                    timeout=timeout,
                    inline=inline,
                    query=query,
                )
            )
            return func

        return decorate


#: The process-wide registry.
registry = OperatorRegistry()
operator = registry.operator

_loaded = False
_load_lock = threading.Lock()


def load_operators(packages: Iterable[str] = OPERATOR_PACKAGES) -> OperatorRegistry:
    """Import every module under the operator packages once, so their operators register."""
    global _loaded
    with _load_lock:
        if _loaded:
            return registry
        for package_name in packages:
            package = importlib.import_module(package_name)
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
                if ".tests" in info.name or info.name.rsplit(".", 1)[-1].startswith("test_"):
                    continue
                importlib.import_module(info.name)
        _loaded = True
    return registry


_FIELD_TYPES: dict[type, dict] = {
    fields.String: {"type": "string"},
    fields.Integer: {"type": "integer"},
    fields.Float: {"type": "number"},
    fields.Decimal: {"type": "number"},
    fields.Boolean: {"type": "boolean"},
    fields.Date: {"type": "string", "format": "date"},
    fields.DateTime: {"type": "string", "format": "date-time"},
    fields.Dict: {"type": "object"},
    fields.Raw: {},
}


def _field_to_json(fld: fields.Field) -> dict:
    if isinstance(fld, fields.Nested):
        nested = schema_to_json(type(fld.schema))
        out = {"type": "array", "items": nested} if fld.many else nested
    elif isinstance(fld, fields.List):
        out = {"type": "array", "items": _field_to_json(fld.inner)}
    else:
        base = next((ftype for ftype in type(fld).__mro__ if ftype in _FIELD_TYPES), None)
        out = dict(_FIELD_TYPES[base]) if base else {}
    meta = fld.metadata or {}
    for key in ("description", "title"):
        if key in meta:
            out[key] = meta[key]
    choices = getattr(getattr(fld, "validate", None), "choices", None)
    if choices:
        out["enum"] = list(choices)
    return out


def schema_to_json(schema_cls: type[Schema] | None) -> dict:
    """A JSON Schema (draft 2020-12 subset) for a marshmallow schema class."""
    if schema_cls is None:
        return {"type": "object"}
    schema = schema_cls()
    props = {name: _field_to_json(f) for name, f in schema.fields.items()}
    required = [name for name, f in schema.fields.items() if f.required]
    out: dict = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out
