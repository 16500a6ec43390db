"""The WSGI entry point: ``gunicorn 'app.wsgi:app'`` (settings from ``HOUSING_*`` variables)."""

from __future__ import annotations

from app import heap
from app.config import Settings
from app.factory import create_app
from app.logs import configure_logging

settings = Settings.from_env()
configure_logging(settings.log_level)
app = create_app(settings)
heap.settle()  # the collector leaves the long-lived heap alone from here on
