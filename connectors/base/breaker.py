"""A circuit breaker per source: stop calling a platform that keeps failing, then probe it.

States:

* ``closed`` — calls go through; ``threshold`` consecutive failed requests open the circuit;
* ``open`` — calls fail at once with ``CircuitOpen`` for ``reset_after`` seconds;
* ``half_open`` — after that pause one probe request is let through (others still fail fast);
  a success closes the circuit, a failure opens it again for another ``reset_after`` seconds.

Failures are transport faults, HTTP 5xx, malformed and "busy" answers: signs the platform is
unwell. A refused signature or a refused parameter is the caller's fault and counts as an
answer (the platform is up).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from connectors.errors import CIRCUIT_OPEN, connector_error

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitBreaker:
    """Thread-safe three-state breaker for one source."""

    def __init__(
        self,
        name: str,
        threshold: int = 5,
        reset_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name = name
        self.threshold = max(1, threshold)
        self.reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half_open`` (an open circuit past its pause reads half-open)."""
        with self._lock:
            if self._state == OPEN and self._clock() - self._opened_at >= self.reset_after:
                return HALF_OPEN
            return self._state

    def before_request(self) -> None:
        """Let a request through or raise ``OperatorError('CircuitOpen')``."""
        with self._lock:
            now = self._clock()
            if self._state == OPEN and now - self._opened_at >= self.reset_after:
                self._state = HALF_OPEN
                self._probe_in_flight = False
            if self._state == CLOSED:
                return
            if self._state == HALF_OPEN and not self._probe_in_flight:
                self._probe_in_flight = True
                return
            retry_in = max(0.0, self.reset_after - (now - self._opened_at))
        raise connector_error(
            CIRCUIT_OPEN,
            f"{self.name}: circuit open after repeated failures; next probe in {retry_in:.1f} s",
            source=self.name,
            retry_in=round(retry_in, 3),
        )

    def record_success(self) -> None:
        """The platform answered: close the circuit and forget earlier failures."""
        with self._lock:
            self._state = CLOSED
            self._failures = 0
            self._probe_in_flight = False

    def record_failure(self) -> None:
        """The platform failed: count it, and open the circuit at the threshold or after a probe."""
        with self._lock:
            self._failures += 1
            if self._state == HALF_OPEN or self._failures >= self.threshold:
                self._state = OPEN
                self._opened_at = self._clock()
                self._probe_in_flight = False

    def reset(self) -> None:
        """Back to closed (for operators and tests)."""
        self.record_success()
