"""What services need from the running application: settings and the job runner.

Both live on the Flask app (``create_app`` puts them there), so web requests, CLI commands
and workers — which all run inside an app context — see the same ones, and a second app in
the same process sees its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from app.config import Settings

if TYPE_CHECKING:  # pragma: no cover
    from app.jobs.runner import JobRunner


def settings() -> Settings:
    """The application's settings."""
    return current_app.extensions["housing.settings"]


def runner() -> JobRunner:
    """The job runner (inline or RQ)."""
    return current_app.extensions["housing.runner"]

