"""The JSON API under ``/api/v1`` (documented at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from flask import Blueprint, Flask, request

from app.api.errors import correlation_id, register_error_handlers
from app.api.input_guard import refuse_unstorable_input

API_PREFIX = "/api/v1"


def register_api(app: Flask) -> None:
    """Attach every API blueprint and the problem+json error handling."""
    from app.api import applications, definitions, incidents, instances, messages, meta, modeler, tasks

    api = Blueprint("api", __name__, url_prefix=API_PREFIX)
    api.before_request(refuse_unstorable_input)
    for module in (meta, definitions, instances, applications, tasks, messages, incidents, modeler):
        api.register_blueprint(module.bp)

    app.register_blueprint(api)

    @app.after_request
    def add_request_id(response):
        """Every answer under /api/v1, of any context's blueprint, carries its correlation id."""
        if request.path.startswith(API_PREFIX):
            response.headers["X-Request-ID"] = correlation_id()
        return response

    register_error_handlers(app, API_PREFIX)
