"""Job runners: how queued job ids reach :func:`app.services.job_service.execute`.

* :class:`InlineRunner` (the embedded default) runs jobs in this process, on a background
  thread or, for tests, synchronously right after the commit that created them.
* :class:`RqRunner` puts them on a Redis queue for ``housing worker`` processes.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

log = logging.getLogger(__name__)


class JobRunner(Protocol):
    """Hands job ids to whatever executes them."""

    def submit(self, job_ids: Iterable[str], force: bool = False) -> None:
        """Queue jobs (called after the commit that made them queued).

        ``force`` hands them over even if the runner still lists them (their worker died).
        """

    def holds(self, job_id: str) -> bool:
        """True if the job is still waiting in, or running from, this runner's queue."""


class InlineRunner:
    """Runs jobs in-process. ``synchronous`` drains the queue inside ``submit``."""

    def __init__(self, execute: Callable[[str], object], synchronous: bool = False,
                 app=None):
        self._execute = execute
        self.synchronous = synchronous
        self._app = app
        self._pending: deque[str] = deque()
        self._draining = threading.local()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._holding: set[str] = set()
        self._thread: threading.Thread | None = None

    def submit(self, job_ids: Iterable[str], force: bool = False) -> None:
        ids = list(job_ids)
        self._holding.update(ids)
        if not self.synchronous:
            for job_id in ids:
                self._queue.put(job_id)
            self._ensure_thread()
            return
        self._pending.extend(ids)
        if getattr(self._draining, "active", False):
            return  # an outer submit on this thread is draining already
        self._draining.active = True
        try:
            while self._pending:
                self._run(self._pending.popleft())
        finally:
            self._draining.active = False

    def holds(self, job_id: str) -> bool:
        return job_id in self._holding

    def _run(self, job_id: str) -> None:
        try:
            self._execute(job_id)
        except Exception:
            log.exception("job %s failed in the inline runner", job_id)
        finally:
            self._holding.discard(job_id)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="inline-jobs", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            if self._app is not None:
                with self._app.app_context():
                    self._run(job_id)
            else:
                self._run(job_id)

    def stop(self) -> None:
        """Let the background thread finish (tests and shutdown)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
