"""The landing page, the language switch and the liveness probe."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, url_for

from app.web.i18n import set_lang
from app.web.nav import home_endpoint
from app.web.session_auth import current_user, elder_mode, safe_next, set_elder_mode

bp = Blueprint("home", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness probe."""
    return jsonify(status="ok")


@bp.get("/")
def index():
    """Send each user to their own start page; visitors to the login page."""
    identity = current_user()
    if identity is None:
        return redirect(url_for("web.account.login"))
    return redirect(url_for(home_endpoint(identity)))


@bp.post("/display/elder")
def toggle_elder_mode():
    """Switch 长辈模式 on or off and go back where the user was (remembered for a logged-in user)."""
    set_elder_mode(not elder_mode())
    return redirect(safe_next(request.form.get("next"), url_for("web.home.index")))


@bp.get("/lang/<code>")
def switch_language(code: str):
    """Choose the page language and go back where the user was."""
    set_lang(code)
    return redirect(safe_next(request.args.get("next"), url_for("web.home.index")))
