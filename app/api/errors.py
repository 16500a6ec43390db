"""RFC 7807 problem responses: the one place domain errors become HTTP."""

from __future__ import annotations

import logging
import uuid

import flask_babel
from flask import Flask, Response, current_app, json, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app import l10n
from app.api.responses import Problem
from app.services import errors as e

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

STATUS = [
    (e.ValidationFailed, 422),
    (e.DeploymentInvalid, 422),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.Forbidden, 403),
    (e.Unauthenticated, 401),
    (e.TooManyRequests, 429),
]


def correlation_id() -> str:
    """The request's correlation id (from ``X-Request-ID`` or generated)."""
    value = request.environ.get("housing.correlation_id")
    if value is None:
        value = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        request.environ["housing.correlation_id"] = value
    return value


def problem_language() -> str:
    """The language of problem texts: the request's locale (:func:`app.web.i18n.select_locale`: in the
    API the one ``Accept-Language`` asks for, on a page's scripts the session's), else Chinese."""
    locale = flask_babel.get_locale() if "babel" in current_app.extensions else None
    if locale is not None and locale.language in l10n.LANGUAGES:
        return locale.language
    return request.accept_languages.best_match(list(l10n.LANGUAGES), default=l10n.DEFAULT) or l10n.DEFAULT


def problem(status: int, title: str, detail: str, code: str, headers=None, **extra) -> Response:
    """A problem+json response (dumped through :class:`app.api.responses.Problem`).

    ``title`` and ``detail`` may be :class:`app.l10n.Message` texts, and so may the messages
    under ``errors``: each is rendered in :func:`problem_language`.
    """
    lang = problem_language()
    title, detail = l10n.localise(title, lang), l10n.localise(detail, lang)
    extra = {k: l10n.localise(v, lang) for k, v in extra.items()}
    body = {
        "type": f"urn:housing:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "error_code": code,
        "correlation_id": correlation_id(),
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    response = Response(json.dumps(Problem().dump(body), ensure_ascii=False), status=status, mimetype=PROBLEM_JSON,
                        headers=headers)
    response.headers["X-Request-ID"] = correlation_id()
    return response


def _domain(exc: e.DomainError) -> Response:
    status = next((s for cls, s in STATUS if isinstance(exc, cls)), 400)
    extra = dict(exc.extra)
    if isinstance(exc, e.ValidationFailed):
        extra["errors"] = exc.errors
    if isinstance(exc, e.DeploymentInvalid):
        extra["errors"] = exc.problems
    lang = problem_language()
    return problem(status, exc.title_in(lang), exc.detail_in(lang), exc.code, **extra)


def _marshmallow(exc: ValidationError) -> Response:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
    title = l10n.error_title("validation_failed", problem_language())
    return problem(422, title, "the request failed validation", "validation_failed", errors=messages)


def _http(exc: HTTPException) -> Response:
    code = (exc.name or "error").lower().replace(" ", "_")
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]  # Allow on a 405
    allowed = sorted(exc.valid_methods) if isinstance(exc, MethodNotAllowed) and exc.valid_methods else None
    title = l10n.error_title(code, problem_language(), fallback=exc.name)
    return problem(exc.code or 500, title, exc.description or exc.name, code, headers=headers, allowed=allowed)


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error (correlation id %s)", correlation_id())
    return problem(500, l10n.error_title("internal_error", problem_language()), "An unexpected error occurred; "
                   "quote the correlation id when reporting it.", "internal_error")


def register_error_handlers(app: Flask, url_prefix: str) -> None:
    """Problem+json for every error under ``url_prefix``; pages keep their own handlers."""

    def wants_problem() -> bool:
        return request.path.startswith(url_prefix)

    def handle(exc):
        if isinstance(exc, e.DomainError):
            return _domain(exc)
        if isinstance(exc, ValidationError):
            return _marshmallow(exc)
        if isinstance(exc, HTTPException):
            return _http(exc) if wants_problem() else exc
        return _unexpected(exc) if wants_problem() else _reraise(exc)

    app.register_error_handler(Exception, handle)


def _reraise(exc: Exception):
    raise exc
