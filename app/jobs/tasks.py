"""RQ entry points. Arguments are plain ids; each job runs inside the worker's app context."""

from __future__ import annotations

import time

from flask import Flask

_app: Flask | None = None


def bind_app(app: Flask) -> None:
    """Use ``app`` for the jobs of this process (the worker command calls this)."""
    global _app
    _app = app


def _get_app() -> Flask:
    global _app
    if _app is None:
        from app.factory import create_app

        _app = create_app()
    return _app


def execute_jobs(job_ids: list[str]) -> dict[str, str]:
    """Run one batch of outbox jobs and the batches its steps create (up to a quarter of the RQ
    job's timeout), then let the runner forget them."""
    from rq import get_current_job

    from app.services import job_service

    app = _get_app()
    runner = app.extensions["housing.runner"]
    current = get_current_job()
    with app.app_context():
        done = list(job_ids)
        try:
            if current is None or not hasattr(runner, "follow_on"):
                return job_service.execute_batch(list(job_ids))
            with runner.follow_on(current.id) as pending:
                outcomes = job_service.execute_batch(list(job_ids))
                deadline = time.monotonic() + runner.job_timeout / 4
                while pending and time.monotonic() < deadline:  # the rest is queued as usual
                    ids = pending.popleft()
                    done += ids
                    job_service.execute_batch(ids)
            return outcomes
        finally:
            runner.release(done)
