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


def execute_job(job_id: str) -> str:
    """Run one outbox job."""
    from app.services import job_service

    with _get_app().app_context():
        return job_service.execute(job_id)
