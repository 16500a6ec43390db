"""A small client for the sandbox's admin endpoints (faults, request log, reset)."""

from __future__ import annotations

from typing import Any

import requests


class SandboxAdmin:
    """Drive a running sandbox: inject and clear faults, read the request log, reset."""

    def __init__(self, base_url: str, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.base_url}/__sandbox{path}", timeout=self.timeout, **kwargs)
        response.raise_for_status()
        return response.json()

    def inject(
        self, source: str, fault: str, times: int | None = 1, seconds: float | None = None, scope: str = "data"
    ) -> dict:
        """Queue ``fault`` for the next ``times`` requests of ``source`` (``None``: until cleared).

        ``scope``: ``data`` (data routes and ``/ping``), ``token`` (the token endpoint) or ``all``.
        """
        spec = {"source": source, "fault": fault, "times": times or 0, "seconds": seconds, "scope": scope}
        return self._call("POST", "/faults", json=spec)

    def faults(self) -> dict:
        """The queued faults by source."""
        return self._call("GET", "/faults")

    def clear_faults(self, source: str | None = None) -> None:
        """Remove queued faults of one source, or all."""
        self._call("DELETE", "/faults", params={"source": source} if source else None)

    def requests(self, source: str | None = None) -> list[dict]:
        """The request log, oldest first (of one source when given)."""
        return self._call("GET", "/requests", params={"source": source} if source else None)

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._call("DELETE", "/requests")

    def reset(self) -> None:
        """Forget faults, requests, issued tokens and receipts."""
        self._call("POST", "/reset")

    def systems(self) -> list[dict]:
        """Every system the sandbox plays, with prefix, scheme and routes."""
        return self._call("GET", "/systems")
