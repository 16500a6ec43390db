"""Logging in and out of the pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.auth import ratelimit
from app.services.errors import Unauthenticated
from app.web import csrf
from app.web.i18n import t
from app.web.nav import home_endpoint
from app.web.session_auth import current_user, log_in, log_out, safe_next

bp = Blueprint("account", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success, go where the user was heading or to their home page."""
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        if ratelimit.login_refused(username):
            abort(429)  # refused before the password is checked
        try:
            identity = log_in(username, request.form.get("password", ""))
        except Unauthenticated:
            ratelimit.login_failed(username)
            error = t("用户名或密码错误")
        else:
            csrf.rotate()
            flash(t("欢迎，{name}", name=identity.display_name or identity.username), "info")
            default = url_for(home_endpoint(identity))
            return redirect(safe_next(request.form.get("next"), default))
    elif current_user() is not None:
        return redirect(url_for(home_endpoint(current_user())))
    return render_template("login.html", error=error, next=request.args.get("next", "")), 401 if error else 200


@bp.post("/logout")
def logout():
    """End the session."""
    log_out()
    return redirect(url_for("web.account.login"))
