"""The connector registry: ``@register_connector`` adds a class and its operators.

Decorating a connector class registers it by name (a second class with the same name fails at
import, that is at start-up) and registers each of its operations in the engine's operator
registry as ``<connector>/<operation>`` with its schemas, retry policy, timeout and health
check. Instances are built lazily, one per connector per settings object.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from typing import Any

from flask import current_app, has_app_context

from app.engine.operators import Operator, OperatorContext, OperatorError, RetryPolicy, registry
from connectors.base.config import PerSettings, resolve_config
from connectors.base.connector import Connector
from connectors.base.credentials import load_credential, register_demo_credential

#: Connector name → class.
CONNECTORS: dict[str, type[Connector]] = {}

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SECRET_PARAM_RE = re.compile(r"secret|password|passwd|private_key|access_token|credential|app_key", re.I)

log = logging.getLogger(__name__)
#: Connector instances and retry policies per settings object (so per app), dropped with it.
_instances = PerSettings()


class DuplicateConnectorError(ValueError):
    """Two connector classes were registered under one name."""


def register_connector(cls: type[Connector]) -> type[Connector]:
    """Class decorator: register a connector and its operations (see module doc)."""
    if not _NAME_RE.match(cls.name or ""):
        raise ValueError(f"{cls.__name__}: connector name {cls.name!r} must be snake_case")
    existing = CONNECTORS.get(cls.name)
    if existing is not None and existing is not cls:
        raise DuplicateConnectorError(
            f"connector {cls.name!r} is defined twice: {existing.__module__} and {cls.__module__}"
        )
    specs = cls.operation_specs()
    if not specs or not cls.title:
        raise ValueError(f"{cls.__name__}: a connector needs a title and at least one operation")
    for spec in specs.values():
        secret_like = [f for f in spec.params().fields if _SECRET_PARAM_RE.search(f)]
        if secret_like:
            raise ValueError(f"{cls.name}/{spec.name}: secrets come from settings, not parameters: {secret_like}")
    for spec in specs.values():
        registry.register(
            Operator(
                name=f"{cls.name}/{spec.name}",
                func=_operator_func(cls, spec.name),
                params_schema=spec.params,
                result_schema=spec.result,
                description=f"{cls.title}: {spec.description}",
                kind="connector",
                retry=ConfiguredRetryPolicy(cls),
                timeout=cls.operation_timeout,
                query=spec.query,
                health_check=_health_check(cls),
            )
        )
    if cls.demo_credential:
        register_demo_credential(f"sandbox_{cls.name}", cls.demo_credential)
    CONNECTORS[cls.name] = cls
    return cls


def _operator_func(cls: type[Connector], operation_name: str):
    def run_operation(params: dict, ctx: OperatorContext) -> dict:
        settings = ctx.settings if ctx is not None and ctx.settings is not None else current_settings()
        return connector_for(cls, settings).run(operation_name, params, ctx)

    run_operation.__name__ = f"{cls.name}_{operation_name}"
    run_operation.__qualname__ = run_operation.__name__
    run_operation.__doc__ = f"Operator {cls.name}/{operation_name} ({cls.title})."
    return run_operation


def _health_check(cls: type[Connector]):
    def check() -> tuple[bool, str]:
        try:
            return connector_for(cls, current_settings()).test_connection()
        except OperatorError as exc:
            return False, f"{cls.title} ({cls.name}): {exc.code}: {exc.message}"

    return check


class ConfiguredRetryPolicy(RetryPolicy):
    """A connector's job retry policy, read from the connector settings of the running app.

    The job runner asks the operator for ``max_attempts`` when it writes a job and for
    ``delay(n)`` after a failed attempt. Both come from the running app's settings
    (:func:`current_settings`): ``job_attempts``, ``job_backoff`` and
    ``job_backoff_cap`` (e.g. ``HOUSING_CONNECTOR_DEFAULT_JOB_BACKOFF=0.05`` in tests), each
    falling back to the connector's ``job_retry``. Outside an app (describing the operator for
    the modeler's list, say) it is the connector's declared ``job_retry``.
    """

    def __init__(self, cls: type[Connector]):
        object.__setattr__(self, "_cls", cls)

    def resolved(self) -> RetryPolicy:
        """The policy for the current app's settings; the declared one outside an app."""
        if not has_app_context():
            return self._cls.job_retry
        return job_retry_policy(self._cls, current_settings())

    @property
    def max_attempts(self) -> int:  # type: ignore[override]
        return self.resolved().max_attempts

    @property
    def backoff_base(self) -> float:  # type: ignore[override]
        return self.resolved().backoff_base

    @property
    def max_backoff(self) -> float:  # type: ignore[override]
        return self.resolved().max_backoff


def job_retry_policy(cls: type[Connector], settings: Any) -> RetryPolicy:
    """The job retry policy of ``cls`` under ``settings`` (its ``job_retry`` overridden by the
    ``job_*`` settings); a bad setting is logged and the default kept (the call itself reports
    it as ``ConnectorMisconfigured``)."""

    def build() -> RetryPolicy:
        default = cls.job_retry
        try:
            config = _resolve(cls, settings)
        except OperatorError as exc:
            log.warning("%s: job retry settings ignored: %s", cls.name, exc.message)
            return default
        return RetryPolicy(
            max_attempts=config.job_attempts or default.max_attempts,
            backoff_base=default.backoff_base if config.job_backoff is None else config.job_backoff,
            max_backoff=default.max_backoff if config.job_backoff_cap is None else config.job_backoff_cap,
        )

    return _instances.get(settings, ("job_retry", cls.name), build)


def connector_for(cls: type[Connector] | str, settings: Any) -> Connector:
    """The connector instance for ``settings`` (built on first use, then cached)."""
    klass = CONNECTORS[cls] if isinstance(cls, str) else cls
    return _instances.get(settings, klass.name, lambda: _build(klass, settings))


def _resolve(cls: type[Connector], settings: Any):
    return resolve_config(
        cls.name,
        settings=settings,
        sandbox_prefix=cls.sandbox_prefix,
        scheme=cls.signing,
        options=cls.default_options,
        all_names=CONNECTORS,
    )


def _build(cls: type[Connector], settings: Any) -> Connector:
    config = _resolve(cls, settings)
    credential = load_credential(config.credential, getattr(settings, "extra", {}) or {}, production=config.production)
    return cls(config, credential)


class NoApplicationSettings(RuntimeError):
    """Connector settings were needed outside an application context."""


def current_settings() -> Any:
    """The settings of the running app (``app.extensions["housing.settings"]``).

    A job passes its settings in the operator context; health checks and retry policies read
    the app's here. Outside an app context there is no way to tell whose settings are meant,
    so this raises :class:`NoApplicationSettings` rather than guess from the environment.
    """
    settings = current_app.extensions.get("housing.settings") if has_app_context() else None
    if settings is None:
        raise NoApplicationSettings("connector settings belong to an application: call inside "
                                    "`with app.app_context():` or pass the settings explicitly")
    return settings


def import_connector_modules() -> None:
    """Import every module of the ``connectors`` package, so every connector is registered.

    The sandbox calls this (it needs the demo credentials) without going through
    ``load_operators``, which would also import the handlers.
    """
    import connectors

    for info in pkgutil.walk_packages(connectors.__path__, prefix="connectors."):
        if ".tests" in info.name or info.name.rsplit(".", 1)[-1].startswith("test_"):
            continue
        importlib.import_module(info.name)


def forget_instances() -> None:
    """Drop every cached connector instance (tests)."""
    _instances.clear()
