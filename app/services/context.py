"""What services need from the running application: settings, the job runner, the spec cache.

All live on the Flask app (``create_app`` puts them there), so web requests, CLI commands
and workers — which all run inside an app context — see the same ones, and a second app in
the same process sees its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from app.config import Settings

if TYPE_CHECKING:  # pragma: no cover
    from app.engine.bundle import BundleCache
    from app.jobs.runner import JobRunner


def settings() -> Settings:
    """The application's settings."""
    return current_app.extensions["housing.settings"]


def runner() -> JobRunner:
    """The job runner (inline or RQ)."""
    return current_app.extensions["housing.runner"]


def bundles() -> BundleCache:
    """The app's compiled-spec cache.

    Keyed by definition ids, which are immutable within one database but repeat across
    databases, so it belongs to the app (whose database it caches) rather than to the process.
    """
    return current_app.extensions["housing.bundles"]
