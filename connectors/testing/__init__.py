"""Helpers for testing connectors against the sandbox (used by tests/connectors and integrators).

::

    from connectors.testing import running_sandbox, sandbox_settings, run_operator
    from connectors.sandbox.fixtures import declared_members

    with running_sandbox() as (base_url, admin):
        result = run_operator("hukou/check", {"members": declared_members("eligible_single")},
                              sandbox_settings(base_url))
        admin.inject("hukou", "5xx", times=2)
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from app.config import Settings
from app.engine.operators import OperatorContext, load_operators, registry
from connectors.sandbox.client import SandboxAdmin

#: Short timeouts and backoffs so that failure paths take a fraction of a second in tests.
FAST_SETTINGS: dict[str, str] = {
    "HOUSING_CONNECTOR_DEFAULT_TIMEOUT": "1.0",
    "HOUSING_CONNECTOR_DEFAULT_CONNECT_TIMEOUT": "1.0",
    "HOUSING_CONNECTOR_DEFAULT_BACKOFF": "0.01",
    "HOUSING_CONNECTOR_DEFAULT_BACKOFF_CAP": "0.05",
    "HOUSING_CONNECTOR_DEFAULT_BREAKER_RESET": "0.3",
    "HOUSING_CONNECTOR_DEFAULT_DEADLINE": "20",
}


def sandbox_settings(base_url: str, extra: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings pointing every connector at a sandbox, with fast timeouts (plus ``extra`` env)."""
    overrides.setdefault("env", "test")
    return Settings(sandbox_url=base_url, extra={**FAST_SETTINGS, **(extra or {})}, **overrides)


def run_operator(name: str, params: Mapping[str, Any], settings: Settings, key: str | None = None) -> dict:
    """Call an operator as the job runner would (parameters loaded by its schema first)."""
    load_operators()
    op = registry.get(name)
    ctx = OperatorContext(idempotency_key=key or f"test-{uuid.uuid4().hex}", settings=settings)
    return op.func(op.load_params(params), ctx)


@contextlib.contextmanager
def running_sandbox(**config: Any) -> Iterator[tuple[str, SandboxAdmin]]:
    """A sandbox in a thread for the duration of the block: ``(base_url, admin)``."""
    from connectors.sandbox.server import start_in_thread

    config.setdefault("hang_seconds", 2.0)
    config.setdefault("latency_seconds", 0.05)
    base_url, stop = start_in_thread(**config)
    try:
        yield base_url, SandboxAdmin(base_url)
    finally:
        stop()


__all__ = ["FAST_SETTINGS", "SandboxAdmin", "run_operator", "running_sandbox", "sandbox_settings"]
