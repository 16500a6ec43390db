"""The application factory."""

from __future__ import annotations

import importlib
import logging

from flask import Flask

from app import statistics
from app.config import Settings
from app.db import db
from app.engine import workdays
from app.engine.operators import load_operators
from connectors.base import use_settings as use_connector_settings


def create_app(settings: Settings | None = None, *, runner=None) -> Flask:
    """Build the Flask app: settings, database, job runner, operators, API and pages.

    ``runner`` overrides the job runner the settings choose (tests pass a synchronous one).
    """
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # one line per task state change otherwise
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(SECRET_KEY=settings.secret_key, JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=32 * 1024 * 1024)
    app.json.ensure_ascii = False
    app.extensions["housing.settings"] = settings

    db.init(settings.database_url)
    workdays.load_overrides(settings.holidays_file)
    load_operators()
    use_connector_settings(settings)  # health checks run outside any job and need them too
    for module in filter(None, (m.strip() for m in settings.operator_modules.split(","))):
        importlib.import_module(module)
    app.extensions["housing.runner"] = runner or _make_runner(settings, app)

    from app.api import register_api
    from app.web import register_web

    register_api(app)
    register_web(app)
    statistics.init_app(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _make_runner(settings: Settings, app: Flask):
    if settings.job_runner == "rq":
        from app.jobs.rq_runner import RqRunner

        return RqRunner(settings.redis_url, settings.queue_name)
    from app.jobs.runner import InlineRunner
    from app.services import job_service

    return InlineRunner(job_service.execute_batch, synchronous=False, app=app)
