"""Connector settings: where a connector finds its platform, how patient it is, how it signs.

Each key is resolved in this order, later winning:

1. the connector's own defaults (its sandbox path under ``settings.sandbox_url``, its signing
   scheme, the credential ``sandbox_<name>``);
2. ``settings.connectors_file`` (JSON): ``{"defaults": {...}, "<connector>": {...}}``;
3. ``HOUSING_CONNECTOR_DEFAULT_<KEY>`` then ``HOUSING_CONNECTOR_<CONNECTOR>_<KEY>``.

Dict-valued keys (``options``, ``scheme_options``, ``extra_headers``) are merged, not replaced;
in the environment they are JSON. Settings are read when a connector is first used with a
settings object, never at import, and cached for as long as that object lives.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.errors import CONNECTOR_MISCONFIGURED, connector_error

ENV_PREFIX = "HOUSING_CONNECTOR_"
DICT_KEYS = ("options", "scheme_options", "extra_headers")


@dataclass(frozen=True)
class ConnectorConfig:
    """The resolved settings of one connector."""

    name: str
    base_url: str
    credential: str
    scheme: str
    scheme_options: Mapping[str, Any] = field(default_factory=dict)
    #: Seconds to wait for an answer (read timeout) and to connect.
    timeout: float = 5.0
    connect_timeout: float = 3.0
    #: Extra attempts after a transient failure within one call, and their backoff.
    retries: int = 2
    backoff: float = 0.2
    backoff_cap: float = 2.0
    #: Consecutive failed requests that open the circuit, and seconds before it half-opens.
    breaker_threshold: int = 5
    breaker_reset: float = 30.0
    pool_size: int = 10
    #: Seconds one operation may take in all (every member, every step, every retry).
    deadline: float = 50.0
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    #: The job runner's retry policy for this connector's operations (attempts in all, the backoff
    #: before the second attempt and its cap, in seconds); ``None``: the connector's ``job_retry``.
    job_attempts: int | None = None
    job_backoff: float | None = None
    job_backoff_cap: float | None = None
    #: Connector-specific options (for example ``city`` for hukou, ``sign_name`` for SMS).
    options: Mapping[str, Any] = field(default_factory=dict)
    production: bool = False


#: Every setting key and its type.
KEYS: dict[str, type] = {
    "base_url": str,
    "credential": str,
    "scheme": str,
    "scheme_options": dict,
    "timeout": float,
    "connect_timeout": float,
    "retries": int,
    "backoff": float,
    "backoff_cap": float,
    "breaker_threshold": int,
    "breaker_reset": float,
    "pool_size": int,
    "deadline": float,
    "extra_headers": dict,
    "options": dict,
    "job_attempts": int,
    "job_backoff": float,
    "job_backoff_cap": float,
}
POSITIVE = ("timeout", "connect_timeout", "breaker_threshold", "pool_size", "deadline", "job_attempts")
NOT_NEGATIVE = ("retries", "backoff", "backoff_cap", "breaker_reset", "job_backoff", "job_backoff_cap")


def _coerce(key: str, value: Any, where: str) -> Any:
    kind = KEYS[key]
    try:
        if kind is dict:
            parsed = json.loads(value) if isinstance(value, str) else value
            if not isinstance(parsed, dict):
                raise ValueError("expected a JSON object")
            return parsed
        if kind is int:
            return int(value)
        if kind is float:
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise connector_error(CONNECTOR_MISCONFIGURED, f"{where}: {exc}", key=key) from exc


def _apply(target: dict[str, Any], layer: Mapping[str, Any], where: str) -> None:
    for key, value in layer.items():
        if key not in KEYS:
            raise connector_error(
                CONNECTOR_MISCONFIGURED, f"{where}: unknown setting {key!r}; known: {sorted(KEYS)}", key=key
            )
        value = _coerce(key, value, f"{where}.{key}")
        if key in DICT_KEYS:
            target[key] = {**target.get(key, {}), **value}
        else:
            target[key] = value


def _env_layer(extra: Mapping[str, str], token: str, longer_tokens: Iterable[str]) -> dict[str, str]:
    prefix = f"{ENV_PREFIX}{token}_"
    shadowed = [f"{ENV_PREFIX}{t}_" for t in longer_tokens]
    return {
        key[len(prefix) :].lower(): value
        for key, value in extra.items()
        if key.startswith(prefix) and not any(key.startswith(s) for s in shadowed)
    }


_file_lock = threading.Lock()
_file_cache: dict[str, tuple[float, dict]] = {}


def read_connectors_file(path: str) -> dict:
    """The parsed ``connectors_file`` (re-read when it changes); ``{}`` when no file is set."""
    if not path:
        return {}
    try:
        mtime = Path(path).stat().st_mtime
        with _file_lock:
            cached = _file_cache.get(path)
            if cached and cached[0] == mtime:
                return cached[1]
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("the file must hold a JSON object")
            _file_cache[path] = (mtime, data)
            return data
    except (OSError, ValueError) as exc:
        raise connector_error(CONNECTOR_MISCONFIGURED, f"connectors file {path!r}: {exc}") from exc


def resolve_config(
    name: str,
    *,
    settings: Any,
    sandbox_prefix: str,
    scheme: str,
    options: Mapping[str, Any],
    all_names: Iterable[str] = (),
) -> ConnectorConfig:
    """The settings of connector ``name`` for an ``app.config.Settings`` object."""
    from connectors.base.credentials import env_token

    values: dict[str, Any] = {
        "base_url": str(settings.sandbox_url).rstrip("/") + sandbox_prefix,
        "credential": f"sandbox_{name}",
        "scheme": scheme,
        "options": dict(options),
    }
    data = read_connectors_file(getattr(settings, "connectors_file", "") or "")
    for section in ("defaults", name):
        layer = data.get(section) or {}
        if not isinstance(layer, dict):
            raise connector_error(CONNECTOR_MISCONFIGURED, f"connectors file: {section!r} must be an object")
        _apply(values, layer, f"connectors file {section}")
    extra = getattr(settings, "extra", {}) or {}
    token = env_token(name)
    longer = [env_token(n) for n in all_names if env_token(n).startswith(token + "_")]
    _apply(values, _env_layer(extra, "DEFAULT", ()), f"{ENV_PREFIX}DEFAULT_*")
    _apply(values, _env_layer(extra, token, longer), f"{ENV_PREFIX}{token}_*")
    values["base_url"] = str(values["base_url"]).rstrip("/")
    bad = [k for k in POSITIVE if k in values and values[k] <= 0]
    bad += [k for k in NOT_NEGATIVE if k in values and values[k] < 0]
    if bad:
        raise connector_error(CONNECTOR_MISCONFIGURED, f"{name}: settings out of range: {bad}", keys=bad)
    return ConnectorConfig(name=name, production=getattr(settings, "env", "") == "production", **values)


class PerSettings:
    """Values derived from a settings object, kept exactly as long as that object lives.

    ``app.config.Settings`` is not hashable (it holds a dict), so entries are keyed by identity
    and dropped when the settings object is garbage-collected.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._items: dict[int, tuple[weakref.ref, dict[Any, Any]]] = {}

    def get(self, settings: Any, key: Any, factory: Callable[[], Any]) -> Any:
        """The value for ``(settings, key)``, built by ``factory`` the first time."""
        ident = id(settings)
        with self._lock:
            entry = self._items.get(ident)
            if entry is None or entry[0]() is not settings:
                ref = weakref.ref(settings, lambda dead, i=ident: self._forget(i, dead))
                entry = (ref, {})
                self._items[ident] = entry
            values = entry[1]
            if key not in values:
                values[key] = factory()
            return values[key]

    def _forget(self, ident: int, dead: weakref.ref) -> None:
        with self._lock:
            entry = self._items.get(ident)
            if entry is not None and entry[0] is dead:
                del self._items[ident]

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._items.clear()
