"""The application factory."""

from __future__ import annotations

import importlib
import logging

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from app import heap, statistics
from app.auth import ratelimit
from app.config import Settings
from app.db import db
from app.engine import bundle, workdays
from app.engine.operators import load_operators


class UnicodeJSONProvider(DefaultJSONProvider):
    """JSON with Chinese as it is, not as ``\\u`` escapes."""

    ensure_ascii = False

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, runner=None) -> Flask:
    """Build the Flask app: settings, database, job runner, operators, API and pages.

    ``runner`` overrides the job runner the settings choose (tests pass a synchronous one).
    Everything the app needs at run time (engine, spec cache, calendar, settings, runner) lives
    in ``app.extensions``, so several apps can share a process. Logging is left to the entry
    points (:mod:`app.cli`, :mod:`app.wsgi`).
    """
    settings = (settings or Settings.from_env()).check()  # no server on missing or built-in secrets
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(SECRET_KEY=settings.secret_key, JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=32 * 1024 * 1024)
    app.json = UnicodeJSONProvider(app)
    app.extensions["housing.settings"] = settings
    for warning in settings.warnings():
        log.warning(warning)
    ratelimit.init_app(app, settings)

    db.init_app(app, settings.database_url)
    bundle.init_app(app)
    app.teardown_appcontext(heap.after_context)  # a new spec joins the frozen heap
    workdays.init_app(app, settings.holidays_file)
    load_operators()
    for module in filter(None, (m.strip() for m in settings.operator_modules.split(","))):
        importlib.import_module(module)
    app.extensions["housing.runner"] = runner or _make_runner(settings, app)

    from app.api import register_api
    from app.web import register_web

    register_api(app)
    register_web(app)
    statistics.init_app(app)

    from app import public

    public.init_app(app)

    from app import complaints

    complaints.init_app(app)

    from app import lottery

    lottery.init_app(app)

    from app import stock

    stock.init_app(app)

    from app import choice

    choice.init_app(app)

    from app import messages

    messages.init_app(app)

    from app import ledger

    ledger.init_app(app)

    from app import supervision

    supervision.init_app(app)

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
