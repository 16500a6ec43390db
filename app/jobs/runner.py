"""Job runners: how queued job ids reach :mod:`app.services.job_service`.

* :class:`InlineRunner` (the embedded default) runs jobs in this process, on a background
  thread or, for tests, synchronously right after the commit that created them.
* :class:`~app.jobs.rq_runner.RqRunner` puts them on a Redis queue for ``housing worker``
  processes.

Each ``submit`` is one batch — the jobs one step created, e.g. a fan-out of data-source calls —
which runs side by side and resumes each instance once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

log = logging.getLogger(__name__)
Batch = Callable[[list[str]], object]


class JobRunner(Protocol):
    """Hands job ids to whatever executes them."""

    def submit(self, job_ids: Iterable[str], force: bool = False) -> None:
        """Queue jobs (called after the commit that made them queued).

        ``force`` hands them over even if the runner still lists them (their worker died).
        """

    def holds(self, job_id: str) -> bool:
        """True if the job is still waiting in, or running from, this runner's queue."""


class InlineRunner:
    """Runs job batches in-process. ``synchronous`` runs them inside ``submit``."""

    def __init__(self, execute_batch: Batch, synchronous: bool = False, app=None):
        self._execute = execute_batch
        self.synchronous = synchronous
        self._app = app
        self._pending: deque[list[str]] = deque()
        self._draining = threading.local()
        self._queue: queue.Queue[list[str] | None] = queue.Queue()
        self._holding: set[str] = set()
        self._thread: threading.Thread | None = None

    def submit(self, job_ids: Iterable[str], force: bool = False) -> None:
        ids = [i for i in job_ids if force or i not in self._holding]
        if not ids:
            return
        self._holding.update(ids)
        if not self.synchronous:
            self._queue.put(ids)
            self._ensure_thread()
            return
        self._pending.append(ids)
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

    def _run(self, ids: list[str]) -> None:
        try:
            self._execute(ids)
        except Exception:
            log.exception("jobs %s failed in the inline runner", ids)
        finally:
            self._holding.difference_update(ids)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="inline-jobs", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            ids = self._queue.get()
            if ids is None:
                return
            if self._app is not None:
                with self._app.app_context():
                    self._run(ids)
            else:
                self._run(ids)

    def stop(self) -> None:
        """Let the background thread finish (tests and shutdown)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
