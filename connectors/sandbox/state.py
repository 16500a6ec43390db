"""The sandbox's memory: injected faults, the request log, issued tokens, nonces, receipts.

One :class:`SandboxState` per sandbox app, shared by its request threads (all access under a
lock). Nothing here is persisted: restarting the sandbox forgets tokens, faults and receipts.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

FAULTS = ("latency", "5xx", "timeout", "malformed", "bad_signature", "expired_token")
ALL_SYSTEMS = "*"
#: Which requests of a system a fault hits: data routes and ``/ping`` (``data``, the default),
#: the token endpoint (``token``: ``/refreshTokenByKey``, ``/oauth/token``), or both (``all``).
SCOPES = ("data", "token", "all")


@dataclass
class Fault:
    """A fault to inject into the next ``times`` requests of a system (``None``: until cleared)."""

    fault: str
    times: int | None = 1
    seconds: float | None = None
    scope: str = "data"

    def hits(self, kind: str) -> bool:
        """Whether the fault applies to a request of ``kind`` (``data`` or ``token``)."""
        return self.scope in (kind, "all")

    def describe(self) -> dict[str, Any]:
        """JSON form for the admin endpoint."""
        return {"fault": self.fault, "times": self.times, "seconds": self.seconds, "scope": self.scope}


@dataclass
class SandboxConfig:
    """Tunables; the CLI and ``start_in_thread`` set them."""

    #: How long a ``timeout`` fault holds the answer back (longer than any client timeout).
    hang_seconds: float = 30.0
    #: Delay a ``latency`` fault adds by default.
    latency_seconds: float = 1.0
    #: Lifetime of issued request secrets and access tokens.
    token_ttl: float = 7200.0
    #: Allowed clock difference for signed timestamps.
    clock_skew: float = 300.0
    #: Faults set at start: ``{system: {"fault": ..., "times": ..., "seconds": ...}}``.
    faults: dict[str, Any] = field(default_factory=dict)


class SandboxState:
    """Thread-safe state of one sandbox."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {}
        self._log: deque[dict[str, Any]] = deque(maxlen=5000)
        self._seq = itertools.count(1)
        self._tokens: dict[str, dict[str, float]] = {}
        self._nonces: dict[str, dict[str, float]] = {}
        self._receipts: dict[tuple[str, str], Any] = {}
        self.records: dict[str, dict[str, Any]] = {}
        for system, spec in config.faults.items():
            self.add_fault(system, Fault(spec["fault"], spec.get("times"), spec.get("seconds"),
                                         spec.get("scope") or "data"))

    # faults ---------------------------------------------------------------
    def add_fault(self, system: str, fault: Fault) -> None:
        """Queue a fault for ``system`` (``*`` for every system)."""
        if fault.fault not in FAULTS:
            raise ValueError(f"unknown fault {fault.fault!r}; known: {', '.join(FAULTS)}")
        if fault.scope not in SCOPES:
            raise ValueError(f"unknown fault scope {fault.scope!r}; known: {', '.join(SCOPES)}")
        with self._lock:
            self._faults.setdefault(system, []).append(fault)

    def clear_faults(self, system: str | None = None) -> None:
        """Remove queued faults of one system, or of all."""
        with self._lock:
            if system is None:
                self._faults.clear()
            else:
                self._faults.pop(system, None)

    def faults(self) -> dict[str, list[dict[str, Any]]]:
        """Queued faults by system."""
        with self._lock:
            return {k: [f.describe() for f in v] for k, v in self._faults.items() if v}

    def take_fault(self, system: str, kind: str = "data") -> Fault | None:
        """The fault to apply to this request of ``system`` (consuming one of its ``times``).

        ``kind`` is ``data`` or ``token``: only faults whose scope covers it are taken.
        """
        with self._lock:
            for key in (system, ALL_SYSTEMS):
                queue = self._faults.get(key) or []
                fault = next((f for f in queue if f.hits(kind)), None)
                if fault is None:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        queue.remove(fault)
                return Fault(fault.fault, 1, fault.seconds, fault.scope)
        return None

    # request log ------------------------------------------------------------
    def log_request(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append a request to the log; returns the stored entry (status is filled in later)."""
        with self._lock:
            entry = {"seq": next(self._seq), "at": time.time(), **entry}
            self._log.append(entry)
            return entry

    def requests(self, system: str | None = None) -> list[dict[str, Any]]:
        """Logged requests, oldest first, optionally of one system."""
        with self._lock:
            return [dict(e) for e in self._log if system is None or e["system"] == system]

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._lock:
            self._log.clear()

    # tokens and nonces --------------------------------------------------------
    def issue_token(self, system: str, token: str) -> float:
        """Record an issued secret or access token; returns its expiry (epoch seconds)."""
        expires = time.time() + self.config.token_ttl
        with self._lock:
            self._tokens.setdefault(system, {})[token] = expires
        return expires

    def token_status(self, system: str, token: str) -> str:
        """``live``, ``dead`` (expired or revoked) or ``unknown``."""
        with self._lock:
            expires = self._tokens.get(system, {}).get(token)
        if expires is None:
            return "unknown"
        return "live" if expires > time.time() else "dead"

    def live_tokens(self, system: str) -> list[str]:
        """Unexpired tokens of a system."""
        now = time.time()
        with self._lock:
            return [t for t, exp in self._tokens.get(system, {}).items() if exp > now]

    def known_tokens(self, system: str) -> list[str]:
        """Every token ever issued by a system (live or not)."""
        with self._lock:
            return list(self._tokens.get(system, {}))

    def revoke_tokens(self, system: str) -> None:
        """Expire every token of a system at once (the ``expired_token`` fault)."""
        with self._lock:
            tokens = self._tokens.get(system, {})
            for token in tokens:
                tokens[token] = 0.0

    def fresh_nonce(self, system: str, nonce: str) -> bool:
        """True the first time a nonce is seen within the skew window, False on a replay."""
        now = time.time()
        with self._lock:
            seen = self._nonces.setdefault(system, {})
            # oldest first (insertion order): forget those out of the window, stop at the first kept
            window = 2 * self.config.clock_skew
            while seen:
                oldest = next(iter(seen))
                if now - seen[oldest] <= window:
                    break
                del seen[oldest]
            if nonce in seen:
                return False
            seen[nonce] = now
            return True

    # idempotent receipts ---------------------------------------------------------
    def receipt(self, system: str, key: str, make: Any) -> Any:
        """The answer stored under an idempotency key, made by ``make()`` the first time."""
        with self._lock:
            if (system, key) not in self._receipts:
                self._receipts[(system, key)] = make()
            return self._receipts[(system, key)]

    def reset(self) -> None:
        """Forget faults, requests, tokens, nonces, receipts and stored records."""
        with self._lock:
            self._faults.clear()
            self._log.clear()
            self._tokens.clear()
            self._nonces.clear()
            self._receipts.clear()
            self.records.clear()
