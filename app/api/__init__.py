"""The JSON API under ``/api/v1`` (documented at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from flask import Blueprint, Flask

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

    @api.after_request
    def add_request_id(response):
        response.headers["X-Request-ID"] = correlation_id()
        return response

    app.register_blueprint(api)
    register_error_handlers(app, API_PREFIX)
