"""Page sessions backed by the API's JWT identity.

Logging in issues a signed ``session`` token (see :mod:`app.auth.tokens`) and keeps it in the
(signed, HttpOnly) session cookie; every request verifies it again against the user's token
version in the database, so a disabled user, a changed password or role, or a logout ends the
session at once, and a cookie replayed after logout opens nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, redirect, request, session, url_for

from app.auth import tokens
from app.auth.identity import Identity
from app.services import context, user_service

TOKEN_KEY = "token"
CACHE_KEY = "housing.web_identity"
#: 长辈模式 for this browser (from the user's stored choice at login, or chosen before logging in)
ELDER_KEY = "elder"


def elder_mode() -> bool:
    """Whether pages are shown in 长辈模式 for this browser."""
    return bool(session.get(ELDER_KEY))


def set_elder_mode(on: bool) -> None:
    """Show pages in 长辈模式 (or not) here, and remember it for the logged-in user."""
    if on:
        session[ELDER_KEY] = True
    else:
        session.pop(ELDER_KEY, None)
    identity = current_user()
    if identity is not None:
        user_service.set_elder_mode(identity.username, on)


def log_in(username: str, password: str) -> Identity:
    """Check the password and start a fresh session; raises ``Unauthenticated``."""
    identity = user_service.authenticate(username, password)
    lang = session.get("lang")
    session.clear()  # no session fixation: nothing from before the login survives but the language
    if lang:
        session["lang"] = lang
    if user_service.elder_mode(identity.username):
        session[ELDER_KEY] = True
    token, _ttl = tokens.issue(context.settings(), identity, tokens.SESSION)
    session[TOKEN_KEY] = token
    request.environ[CACHE_KEY] = identity
    session.permanent = False
    return identity


def log_out() -> None:
    """End every session and token of the logged-in user and forget the identity (the language stays)."""
    identity = current_user()
    if identity is not None:
        user_service.revoke_tokens(identity.username)
    lang, elder = session.get("lang"), session.get(ELDER_KEY)
    session.clear()
    if lang:
        session["lang"] = lang
    if elder:
        session[ELDER_KEY] = True
    request.environ[CACHE_KEY] = None


def current_user() -> Identity | None:
    """The logged-in identity, or None (an expired or forged token counts as none)."""
    if CACHE_KEY in request.environ:
        return request.environ[CACHE_KEY]
    identity = None
    token = session.get(TOKEN_KEY)
    if token:
        try:
            identity = tokens.verify(context.settings(), token, tokens.SESSION)
        except tokens.TokenInvalid:
            session.pop(TOKEN_KEY, None)
    request.environ[CACHE_KEY] = identity
    return identity


def require_user() -> Identity:
    """The logged-in identity; inside a view only (login_required guarantees it)."""
    identity = current_user()
    if identity is None:
        abort(401)
    return identity


def login_required(*roles: str) -> Callable:
    """Decorator: redirect to the login page without a session; 403 without one of ``roles``."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            identity = current_user()
            if identity is None:
                return redirect(url_for("web.account.login", next=request.full_path.rstrip("?")))
            if roles and not identity.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
