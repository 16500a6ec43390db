"""Logging in and out of the pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from app.auth import ratelimit
from app.services import context, user_service
from app.services.errors import Unauthenticated, UserNotFound, ValidationFailed
from app.web import csrf
from app.web.i18n import t
from app.web.nav import home_endpoint
from app.web.session_auth import current_user, log_in, log_out, login_required, require_user, safe_next

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
    return render_template("login.html", error=error, next=request.args.get("next", ""),
                           demo=context.settings().is_development), 401 if error else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def password():
    """Change one's own password; every session and token of the user ends, this one too."""
    identity, errors = require_user(), {}
    if request.method == "POST":
        if ratelimit.login_refused(identity.username):
            abort(429)  # a borrowed session cannot guess the current password either
        new = request.form.get("new_password", "")
        if new != request.form.get("confirm_password", ""):
            errors["confirm_password"] = t("两次输入的新密码不一致")
        else:
            try:
                user_service.set_password(identity.username, new, request.form.get("current_password", ""))
            except ValidationFailed:
                errors["new_password"] = t("新密码至少 {n} 个字符", n=user_service.MIN_PASSWORD_LENGTH)
            except Unauthenticated:
                ratelimit.login_failed(identity.username)
                errors["current_password"] = t("当前密码错误")
            except UserNotFound:
                errors["current_password"] = t("此账号由统一身份认证管理，请在那里修改密码")
            else:
                lang = session.get("lang")
                session.clear()
                if lang:
                    session["lang"] = lang
                flash(t("密码已修改，请用新密码重新登录"), "info")
                return redirect(url_for("web.account.login"))
    return render_template("account/password.html", errors=errors,
                           min_length=user_service.MIN_PASSWORD_LENGTH), 422 if errors else 200


@bp.post("/logout")
def logout():
    """End the session."""
    log_out()
    return redirect(url_for("web.account.login"))
