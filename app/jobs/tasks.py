"""RQ entry points. Arguments are plain ids; each job runs inside the worker's app context."""

from __future__ import annotations

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
    """Run one batch of outbox jobs, then let the runner forget them."""
    from app.services import job_service

    app = _get_app()
    with app.app_context():
        try:
            return job_service.execute_batch(list(job_ids))
        finally:
            app.extensions["housing.runner"].release(job_ids)
