"""CSRF protection for every form: a per-session token checked on each unsafe request.

Pages put ``{{ csrf_field() }}`` in every ``<form method="post">``; scripts send the token as
``X-CSRF-Token``. The JSON API is exempt: it authenticates with bearer tokens, which a browser
never attaches on its own.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session
from markupsafe import Markup

SESSION_KEY = "csrf_token"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def token() -> str:
    """This session's CSRF token (created on first use)."""
    value = session.get(SESSION_KEY)
    if not value:
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def field() -> Markup:
    """The hidden input carrying the token, for templates."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token())


def protect(exempt_prefixes: tuple[str, ...]) -> None:
    """``before_request`` hook: refuse an unsafe request without the session's token (400)."""
    if request.method in SAFE_METHODS or request.path.startswith(exempt_prefixes):
        return
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    expected = session.get(SESSION_KEY) or ""
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="CSRF token missing or invalid; reload the page and try again")


def rotate() -> None:
    """Issue a new token (after login, so a token seen before it is useless)."""
    session[SESSION_KEY] = secrets.token_urlsafe(32)
