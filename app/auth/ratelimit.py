"""A small in-process rate limiter (sliding window per key).

It counts per server process: with several gunicorn workers each keeps its own window, so the
effective limit is the per-process limit times the number of workers. That is enough to stop a
script hammering one form; a deployment that needs a global limit puts one in the reverse proxy.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from flask import request


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds for each key."""

    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record a hit for ``key``; False if it is over the limit (the hit is not counted then)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle keys so memory stays bounded
                self._forget_idle(now)
            return True

    def exceeded(self, key: str) -> bool:
        """True if ``key`` has used up its hits in the current window (nothing is recorded)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            return bool(hits) and sum(1 for h in hits if h > now - self.window) >= self.limit

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]

    def reset(self) -> None:
        """Forget every hit (tests)."""
        with self._lock:
            self._hits.clear()


def client_key() -> str:
    """The caller's address (behind a proxy, configure ProxyFix so this is the client's)."""
    return request.remote_addr or "unknown"


#: failed logins per address (pages and the API's token endpoint): 10 a minute; past that every
#: attempt is refused before the password is checked, so guessing stops until the window ends
LOGIN_FAILURES = RateLimiter(10, 60)
#: public objections per address: 5 an hour
OBJECTIONS = RateLimiter(5, 3600)
