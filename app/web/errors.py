"""Errors on pages: the same domain errors the API maps to problem+json, shown as HTML."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from app.api.errors import STATUS
from app.services.errors import DomainError, Unauthenticated, ValidationFailed
from app.web.i18n import t, translate

TITLES = {
    400: "请求无效", 401: "需要登录", 403: "无权访问", 404: "页面或记录不存在", 409: "状态已变化",
    413: "文件太大", 422: "提交的内容不符合要求", 429: "操作太频繁，请稍后再试",
}


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error (the API's own mapping)."""
    return next((s for cls, s in STATUS if isinstance(exc, cls)), 400)


def error_page(status: int, detail: str = ""):
    """An HTML error page with ``status``."""
    title = TITLES.get(status, "出错了")
    return render_template("error.html", status=status, title=title, detail=detail), status


def register(bp: Blueprint) -> None:
    """Attach the page error handlers to the parent blueprint of every page."""

    @bp.errorhandler(DomainError)
    def domain(exc: DomainError):
        if isinstance(exc, Unauthenticated):
            return redirect(url_for("web.account.login", next=request.path))
        detail = translate(exc.detail)
        if isinstance(exc, ValidationFailed) and exc.errors:
            fields = t("；").join(f"{k} {', '.join(translate(m) for m in v)}" for k, v in exc.errors.items())
            detail = t("{detail}：{fields}", detail=detail, fields=fields)
        return error_page(status_of(exc), detail)

    @bp.errorhandler(HTTPException)
    def http(exc: HTTPException):
        if exc.code == 401:
            return redirect(url_for("web.account.login", next=request.path))
        return error_page(exc.code or 500, exc.description if exc.code in (400, 413, 429) else "")
