"""Worker heartbeats: a running job's lease is renewed while its worker lives.

A worker claims jobs with a short lease (``HOUSING_JOB_LEASE_SECONDS``, 20 s by default) and a
:class:`LeaseKeeper` thread renews it every ``HOUSING_JOB_HEARTBEAT_SECONDS`` (5 s) for as long
as the worker runs them. A worker that dies — SIGKILL, OOM, a lost host — stops renewing, so
its jobs' leases run out within the lease time and the scheduler hands them to another worker
(:func:`app.services.scheduler_service.reclaim_expired_leases`). A slow operator keeps its job
however long it takes. Running a job twice stays safe: the operator receives the same
idempotency key, and a result is applied once (:func:`app.services.job_service.resume_instance`).

A lease is renewed only for the claim this worker made (the job's ``attempts`` when claimed):
once another worker has reclaimed the job, the old worker's heartbeats no longer touch it.

A heartbeat never waits for a job row: it skips rows another transaction holds (the worker
storing that job's outcome, which ends the lease anyway), so it cannot deadlock with the
worker's own updates of the same jobs; the next beat renews what was skipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import timedelta
from typing import cast

from flask import Flask
from sqlalchemy import CursorResult, and_, or_, select, update

from app.db import db, utcnow
from app.models import Job

log = logging.getLogger(__name__)


def renew(claims: Iterable[tuple[str, int]], lease_seconds: float) -> int:
    """Extend the leases of the still-running jobs among ``claims`` ((job id, attempt) pairs)."""
    claims = list(claims)
    if not claims:
        return 0
    now = utcnow()
    mine = or_(*(and_(Job.id == job_id, Job.attempts == attempt) for job_id, attempt in claims))
    free = (select(Job.id).where(Job.state == "running", mine).order_by(Job.id)
            .with_for_update(skip_locked=True))  # nothing on SQLite, which locks the whole file
    with db.transaction() as session:
        result = session.execute(
            update(Job).where(Job.id.in_(free.scalar_subquery()), Job.state == "running", mine)
            .values(lease_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False))
        return cast(CursorResult, result).rowcount or 0


class LeaseKeeper:
    """A heartbeat thread renewing the leases of the jobs a worker runs, while in the ``with``."""

    def __init__(self, app: Flask, claims: Iterable[tuple[str, int]], lease_seconds: float, every: float):
        self.app = app
        self.claims = list(claims)
        self.lease_seconds = lease_seconds
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: heartbeats sent (for tests and logs)
        self.beats = 0

    def __enter__(self) -> LeaseKeeper:
        if self.claims:
            self._thread = threading.Thread(target=self._loop, name="job-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(self.every, 1.0) + 10)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with self.app.app_context():
                    renewed = renew(self.claims, self.lease_seconds)
                self.beats += 1
                if renewed < len(self.claims):
                    log.info("%d of %d job(s) no longer held by this worker", len(self.claims) - renewed,
                             len(self.claims))
            except Exception:  # the database blinked: try again at the next beat
                log.exception("renewing job leases failed")
